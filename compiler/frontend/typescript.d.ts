// TypeScript's JavaScript compiler (the one ts-morph bundles), imported directly: the front end
// works on the raw AST and checker and needs none of ts-morph's own wrappers, whose module alone
// adds about 200 ms to every build's start-up.
declare module '@ts-morph/common/dist/typescript.js' {
  import { ts } from 'ts-morph';
  export = ts;
}
