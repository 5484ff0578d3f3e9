let counter: u32 = 0;
export function f_addr(): usize {
  let local: u32 = 1;
  const a = addr_of(local); // error TSK2015
  const b = addressof(counter); // error TSK2015
  return addr_of(counter);
}
