class Cyc1 {
  other!: Inline<Cyc2>;
}
class Cyc2 {
  back!: Inline<Cyc1>; // error TSK3003
}
export function f_cycle(): usize {
  return sizeof<Cyc1>();
}
