export function f_void(): void {
  void 0; // error TSK1037
}
