// Test program: the user-to-user IPC fast paths end to end, and a transcript to compare the
// assembly fast paths with the TypeScript ones (kernel-src/test/hostile_tests.ts runs us with each).
// Its first message (from the kernel's test) passes a send right to user/benchsrv, which answers
// each call with SYS_IPC_REPLY_WAIT and its inline data unchanged. We make CALLS calls, each with
// its own inline pattern, and check every answer word (the call and the reply each cross address
// spaces through the direct map). Mixed in are calls that must leave the fast paths at one test or
// another: a message in another page than the last one checked, flags other than SEND_CALL, a
// handle we do not hold, and plain sends. Every result and every field of every answer but its
// message id is folded into a digest. Then we send benchsrv STOP.
// Exit status: 0x10000000 | 28 bits of the digest when every answer was right; otherwise the
// number of wrong or failed answers (at most 99); 100: setup.

import { ipc_send, ipc_receive } from "../lib/sys";
import { IpcMessage, IPC_NONBLOCK, inline_addr } from "../../abi/ipc";
import { SEND_CALL } from "../../abi/syscall";
import { E_BADPORT } from "../../abi/errors";

const CALLS: u64 = 1000;
const STOP: u32 = 2; // user/benchsrv's request type
const IGNORED: u32 = 3; // a request type benchsrv drops
const NOT_HELD: u64 = 60; // a capability slot we never fill

let msg!: Inline<IpcMessage>;
let other_page!: InlineArray<u8, 8192>; // holds a second message in a page of its own
let digest: u64 = 0xcbf29ce484222325;

function fold(v: u64): void {
  digest = (digest ^ v) * 0x100000001b3;
}

function pattern(i: u64, w: u64): u64 {
  return (i << 32) ^ (w * 0x9e3779b97f4a7c15) ^ 0x5ca1ab1e;
}

/** Call i through m with the given flags; the number of wrong answer words (0 for a right one). */
function call(srv: u64, m: IpcMessage, i: u64, flags: u64): u64 {
  m.type = 0;
  m.flags = 0;
  m.buffer = 0;
  m.buffer_size = 0;
  m.cap = 0;
  for (let w: u64 = 0; w < 8; w++) store<u64>(inline_addr(m) + w * 8, pattern(i, w));
  let r = ipc_send(srv, m, flags);
  fold(u64(r));
  if (r != 0) return 1;
  let bad: u64 = 0;
  for (let w: u64 = 0; w < 8; w++) {
    let v = load<u64>(inline_addr(m) + w * 8);
    fold(v);
    if (v != pattern(i, w)) bad++;
  }
  fold(u64(m.type));
  fold(u64(m.flags));
  fold(m.buffer_size);
  fold(m.cap);
  if (m.buffer_size != 0 || m.cap != 0) bad++;
  return bad;
}

export function main(port: u64): i32 {
  msg.buffer = 0;
  msg.buffer_size = 0;
  if (ipc_receive(port, msg, 0) != 0 || msg.cap == 0) return 100;
  let srv = msg.cap;
  let far = changetype<IpcMessage>((addr_of(other_page) + 4095) & ~u64(4095));
  let bad: u64 = 0;
  for (let i: u64 = 0; i < CALLS; i++) {
    let kind = i % 16;
    if (kind == 3 || kind == 4) {
      bad += call(srv, far, i, SEND_CALL); // the page changed: the checked-page test fails
    } else if (kind == 7) {
      bad += call(srv, msg, i, SEND_CALL | IPC_NONBLOCK); // not the fast case's flags
    } else if (kind == 11) {
      let r = ipc_send(NOT_HELD, msg, SEND_CALL);
      fold(u64(r));
      if (r != E_BADPORT) bad++;
    } else if (kind == 13) {
      msg.type = IGNORED;
      msg.buffer = 0;
      msg.buffer_size = 0;
      let r = ipc_send(srv, msg, 0);
      fold(u64(r));
      if (r != 0) bad++;
    } else {
      bad += call(srv, msg, i, SEND_CALL);
    }
  }
  msg.type = STOP;
  msg.buffer = 0;
  msg.buffer_size = 0;
  if (ipc_send(srv, msg, 0) != 0) bad++;
  if (bad != 0) return i32(bad < 99 ? bad : 99);
  return i32(0x10000000 | (digest & 0x0fffffff));
}
