function log(f: fmt): void {
  const copy = f; // error TSK2009
}
export function f_fmt(s: string): usize {
  return fmt_count(s); // error TSK2009
}
