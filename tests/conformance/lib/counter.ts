// A module with state for module/cross_module.ts: exported and private variables and functions.

export let count: u32 = 0;
let hidden: u32 = 100; // not exported: a local symbol

export function bump(by: u32): u32 {
  count += by;
  hidden -= 1;
  return count;
}

export function hidden_value(): u32 {
  return hidden;
}

export const LIMIT: u32 = 10;

// The same name as a function in the program that imports this module: both must survive.
function helper(): u32 {
  return 1;
}

export function helper_from_counter(): u32 {
  return helper();
}
