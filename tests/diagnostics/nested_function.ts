export function f_nested(): i32 {
  function inner(): i32 { // error TSK1002
    return 1;
  }
  return inner();
}
