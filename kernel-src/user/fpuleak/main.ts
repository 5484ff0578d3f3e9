// Hostile-process test: x87 and SSE state must not leak between processes. Two copies run at one
// priority; each puts its own value in st0 and xmm5, yields (the other copy runs and puts its
// value there), then reads both back. Exit status: rounds that read another value (0 expected).
// The x87 rounds come first: a kernel without SSE enabled for user mode kills us in the SSE ones.

import { print, yield_cpu } from "../lib/sys";

declare function fpu_put(v: u64): void;
declare function fpu_get_x87(): u64;
declare function fpu_get_sse(): u64;

const ROUNDS: u64 = 200;

export function main(port: u64): i32 {
  let secret = 0x5ca1ab1e00000000 | (port << 16);
  let x87_bad: i32 = 0;
  for (let i: u64 = 0; i < ROUNDS; i++) {
    fpu_put(secret + i);
    yield_cpu();
    yield_cpu();
    if (fpu_get_x87() != secret + i) x87_bad++;
  }
  print(`[USER fpuleak] port ${port}: x87 ${x87_bad} of ${ROUNDS} rounds read another value\n`);
  let sse_bad: i32 = 0;
  for (let i: u64 = 0; i < ROUNDS; i++) {
    fpu_put(secret + i);
    yield_cpu();
    yield_cpu();
    if (fpu_get_sse() != secret + i) sse_bad++;
  }
  print(`[USER fpuleak] port ${port}: SSE ${sse_bad} of ${ROUNDS} rounds read another value\n`);
  return x87_bad + sse_bad;
}
