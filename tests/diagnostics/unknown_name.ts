export function f_unknown_name(): u32 {
  const a = arguments; // error TSK3002
  return missing; // error TS2304
}
