export async function f_async(): void { // error TSK1007
  await f_async(); // error TSK1007
}
