function tag(s: TemplateStringsArray): u32 { return 0; } // error TSK1048
export function f_tagged(): u32 {
  return tag`hello`; // error TSK1040
}
