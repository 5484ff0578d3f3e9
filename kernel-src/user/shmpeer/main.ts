// The peer of user/shmcap (see there): holds no shared-memory capability at first, so no handle
// it can name maps anything; then it gets the owner's object in messages, read-write and then
// read-only, and checks what each allows; after the owner revokes, its handles name nothing and
// its mappings are gone. Told to die (with a new read-only handle), it writes to that mapping and
// is killed for it.

import { print, ipc_send, ipc_receive, munmap, cap_drop, cap_revoke, shm_map, shm_restrict } from "../lib/sys";
import { IpcMessage, OWN_PORT, SERVICE_PORT, IPC_FLAG_CAP, IPC_FLAG_SHM, CAP_MAP_READ, CAP_MAP_WRITE, inline_addr } from "../../abi/ipc";
import { PROT_READ, PROT_WRITE } from "../../abi/syscall";
import { E_INVAL, E_BADPORT } from "../../abi/errors";
import { PROC_MAX_CAPS } from "../../abi/limits";
import { T_READY, T_GRANT_RW, T_SAW, T_GRANT_RO, T_RO_OK, T_REVOKED, T_AFTER_REVOKE, T_DIE, SIZE } from "../lib/shm_protocol";

let msg!: Inline<IpcMessage>;
let failures: i64 = 0;
let owner: u64 = 0;

function expect(what: string, got: i64, want: i64): void {
  if (got == want) return;
  failures++;
  print(`[USER shmpeer] FAIL ${what}: got ${got}, want ${want}\n`);
}

function clear(): void {
  msg.type = 0;
  msg.flags = 0;
  msg.cap = 0;
  msg.buffer = 0;
  msg.buffer_size = 0;
}

/** Receives the owner's next message, which must be of `type`; the handle it carries (0: none). */
function receive(type: u32): u64 {
  clear();
  expect("receive", ipc_receive(OWN_PORT, msg, 0), 0);
  expect("message type", i64(msg.type), i64(type));
  return msg.cap;
}

/** Tells the owner `type`, with our failures so far. */
function report(type: u32): void {
  clear();
  msg.type = type;
  store<i64>(inline_addr(msg), failures);
  failures = 0; // the owner counts them now
  expect("send", ipc_send(owner, msg, 0), 0);
}

export function main(port: u64): i32 {
  clear();
  expect("the kernel's introduction", ipc_receive(OWN_PORT, msg, 0), 0);
  owner = msg.cap;
  // without the capability: every handle we could name fails cleanly
  for (let h: u64 = 0; h < PROC_MAX_CAPS + 8; h++) {
    expect("map a guessed handle", shm_map(h, 0, 4096, PROT_READ), E_BADPORT);
    expect("restrict a guessed handle", shm_restrict(h, CAP_MAP_READ), E_BADPORT);
  }
  expect("map a huge handle", shm_map(0xffffffffffffffff, 0, 4096, PROT_READ), E_BADPORT);
  expect("map a kernel-address-like handle", shm_map(0xffff800000001000, 0, 4096, PROT_READ), E_BADPORT);
  report(T_READY);
  // read-write
  let hw = receive(T_GRANT_RW);
  expect("flags: a shared-memory capability", i64(msg.flags & (IPC_FLAG_CAP | IPC_FLAG_SHM)), i64(IPC_FLAG_CAP | IPC_FLAG_SHM));
  expect("a handle", i64(hw > 0 && hw != OWN_PORT && hw != SERVICE_PORT && hw != owner), 1);
  let b = u64(shm_map(hw, 0, SIZE, PROT_READ | PROT_WRITE));
  expect("map read-write", i64(i64(b) > 0), 1);
  expect("the owner's write", i64(load<u64>(b)), 0x1111);
  store<u64>(b + 8, 0x2222);
  expect("a granted handle cannot revoke", cap_revoke(hw), E_BADPORT);
  report(T_SAW);
  // read-only
  let hr = receive(T_GRANT_RO);
  expect("read-only: cannot map writable", shm_map(hr, 0, SIZE, PROT_READ | PROT_WRITE), E_BADPORT);
  expect("read-only: cannot restrict to writable", shm_restrict(hr, CAP_MAP_READ | CAP_MAP_WRITE), E_INVAL);
  let c = u64(shm_map(hr, 0, SIZE, PROT_READ));
  expect("map read-only", i64(i64(c) > 0), 1);
  expect("read-only mapping sees the owner's write", i64(load<u64>(c + 16)), 0x3333);
  report(T_RO_OK);
  // revoked
  receive(T_REVOKED);
  expect("revoked: the read-write handle names nothing", shm_map(hw, 0, SIZE, PROT_READ), E_BADPORT);
  expect("revoked: the read-only handle names nothing", shm_map(hr, 0, SIZE, PROT_READ), E_BADPORT);
  expect("revoked: no restrict", shm_restrict(hw, CAP_MAP_READ), E_BADPORT);
  expect("revoked: the read-write mapping is gone", munmap(b, SIZE), E_INVAL);
  expect("revoked: the read-only mapping is gone", munmap(c, SIZE), E_INVAL);
  expect("drop", cap_drop(hw), 0);
  expect("drop again", cap_drop(hw), E_BADPORT);
  report(T_AFTER_REVOKE);
  // told to die, with a new read-only handle: a write to its mapping kills us, holding handles
  // (hr, stale; the new one) and the mapping
  let h2 = receive(T_DIE);
  let d = u64(shm_map(h2, 0, SIZE, PROT_READ));
  expect("map the new read-only handle", i64(i64(d) > 0), 1);
  expect("the object, as the owner left it", i64(load<u64>(d + 16)), 0x3333);
  if (failures != 0) print(`[USER shmpeer] ${failures} failed checks before the end\n`);
  store<u64>(d + 32, 0xdead);
  print(`[USER shmpeer] FAIL: wrote to a read-only mapping\n`);
  return 1;
}
