class P1 { v: u32 = 0; }
function log(f: fmt): void {}
export function f_hole(p: P1): void {
  log(`p=${p}`); // error TSK2016
  log(`hex=${hex(p)}`); // error TS2345
  log(`ok=${p.v} ${hex(p.v)}`);
}
