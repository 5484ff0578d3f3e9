class T1 { v: u32 = 0; }
export function f_typearg(a: usize): void {
  const x = load(a); // error TSK2007
  store(a, 1); // error TSK2007
  const y = load<Inline<T1>>(a); // error TSK2007
  const z = atomic_xchg<bool>(a, true); // error TSK2007
  const n = sizeof(); // error TSK2007
}
