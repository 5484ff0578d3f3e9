// Enum members are i32: a value outside its range is refused, not wrapped.
export enum Big {
  A = 2147483647,
  B, // error TSK2001
  C = 2147483648, // error TSK2001
  D = -2147483648,
  E = -2147483649, // error TSK2001
}
