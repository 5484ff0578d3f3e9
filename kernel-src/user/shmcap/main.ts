// A shared-memory object passed as a capability in IPC messages, for the kernel's test
// (test/vm_tests.ts vm_shm_capability_in_ipc), the owner's side; user/shmpeer is the other
// process. The kernel gives each a send right to the other's port first. We create an object, map
// it, and grant it to the peer: each sees the other's writes. Then a read-only handle
// (SYS_SHM_RESTRICT) the peer cannot map writable; then we revoke: the peer's handles name nothing
// and its mappings are gone (ours stay); a grant left in flight when the peer dies goes with its
// port. The peer ends killed by a write to a read-only mapping. Exit status: failed checks, ours and the
// peer's (it reports them in its messages).

import { print, ipc_send, ipc_receive, munmap, cap_drop, cap_revoke, shm_create, shm_map, shm_restrict } from "../lib/sys";
import { IpcMessage, OWN_PORT, IPC_FLAG_CAP, IPC_FLAG_SHM, IPC_NONBLOCK, CAP_MAP_READ, CAP_MAP_WRITE, inline_addr } from "../../abi/ipc";
import { SEND_GRANT, SEND_CALL, PROT_READ, PROT_WRITE } from "../../abi/syscall";
import { E_INVAL, E_BADPORT, E_DESTROYED } from "../../abi/errors";
import { T_READY, T_GRANT_RW, T_SAW, T_GRANT_RO, T_RO_OK, T_REVOKED, T_AFTER_REVOKE, T_DIE, T_LATE, SIZE } from "../lib/shm_protocol";

let msg!: Inline<IpcMessage>;
let failures: i64 = 0;

function expect(what: string, got: i64, want: i64): void {
  if (got == want) return;
  failures++;
  print(`[USER shmcap] FAIL ${what}: got ${got}, want ${want}\n`);
}

function clear(): void {
  msg.type = 0;
  msg.flags = 0;
  msg.cap = 0;
  msg.buffer = 0;
  msg.buffer_size = 0;
}

/** Sends type to the peer, granting handle h when it is not 0. */
function send(peer: u64, type: u32, h: u64): void {
  clear();
  msg.type = type;
  msg.cap = h;
  expect("send", ipc_send(peer, msg, h != 0 ? SEND_GRANT : 0), 0);
}

/** Receives the peer's next message, which must be of `type`; adds the failures it reports. */
function receive(type: u32): void {
  clear();
  expect("receive", ipc_receive(OWN_PORT, msg, 0), 0);
  expect(`message type`, i64(msg.type), i64(type));
  failures += load<i64>(inline_addr(msg));
}

export function main(port: u64): i32 {
  clear();
  expect("the kernel's introduction", ipc_receive(OWN_PORT, msg, 0), 0);
  let peer = msg.cap;
  expect("a send right to the peer", i64(msg.flags & IPC_FLAG_CAP), i64(IPC_FLAG_CAP));
  let h = u64(shm_create(SIZE));
  expect("shm_create gives a handle", i64(h > 0), 1);
  expect("not a shared-memory handle: the port", shm_map(peer, 0, SIZE, PROT_READ), E_BADPORT);
  let a = u64(shm_map(h, 0, SIZE, PROT_READ | PROT_WRITE));
  expect("map", i64(i64(a) > 0), 1);
  expect("zero-filled", i64(load<u64>(a)), 0);
  store<u64>(a, 0x1111);
  expect("PROT_EXEC refused", shm_map(h, 0, SIZE, PROT_READ | 4), E_INVAL);
  expect("past the end", shm_map(h, 4096, SIZE, PROT_READ), E_INVAL);
  expect("unaligned offset", shm_map(h, 8, 4096, PROT_READ), E_INVAL);
  receive(T_READY); // the peer found no handle of its own that maps anything
  send(peer, T_GRANT_RW, h);
  receive(T_SAW);
  expect("the peer's write, through our mapping", i64(load<u64>(a + 8)), 0x2222);
  // a read-only handle to pass on: write cannot be added back
  let ro = u64(shm_restrict(h, CAP_MAP_READ));
  expect("restrict", i64(ro > 0 && ro != h), 1);
  expect("restrict to write without read", shm_restrict(h, CAP_MAP_WRITE), E_INVAL);
  expect("restrict widening", shm_restrict(ro, CAP_MAP_READ | CAP_MAP_WRITE), E_INVAL);
  expect("restrict to an unknown right", shm_restrict(h, 0x40 | CAP_MAP_READ), E_INVAL);
  expect("our read-only handle cannot map writable", shm_map(ro, 0, SIZE, PROT_READ | PROT_WRITE), E_BADPORT);
  store<u64>(a + 16, 0x3333);
  send(peer, T_GRANT_RO, ro);
  receive(T_RO_OK);
  // revoke: every other capability names nothing, ours (h) still maps
  expect("revoke", cap_revoke(h), 0);
  expect("our restricted handle is revoked too", shm_map(ro, 0, SIZE, PROT_READ), E_BADPORT);
  let d = shm_map(h, 0, 4096, PROT_READ);
  expect("the owner's handle survives the revoke", i64(d > 0), 1);
  if (d > 0) expect("and maps the same object", i64(load<u64>(u64(d))), 0x1111);
  if (d > 0) expect("munmap", munmap(u64(d), 4096), 0);
  send(peer, T_REVOKED, 0);
  receive(T_AFTER_REVOKE);
  expect("our mapping stays after our revoke", i64(load<u64>(a + 16)), 0x3333);
  // the peer dies (a write to a read-only mapping) with a grant of ours queued at its port
  let ro2 = u64(shm_restrict(h, CAP_MAP_READ));
  send(peer, T_DIE, ro2);
  clear();
  msg.type = T_LATE;
  msg.cap = h;
  let r = ipc_send(peer, msg, SEND_GRANT | IPC_NONBLOCK);
  expect("a grant the peer never receives (queued, or the peer gone)", i64(r == 0 || r == E_BADPORT), 1);
  clear();
  r = ipc_send(peer, msg, SEND_CALL); // returns when the peer's port is gone
  expect("the peer died", i64(r == E_DESTROYED || r == E_BADPORT), 1);
  expect("munmap ours", munmap(a, SIZE), 0);
  expect("drop the revoked handle", cap_drop(ro), 0);
  expect("drop the second read-only handle", cap_drop(ro2), 0);
  expect("drop ours", cap_drop(h), 0);
  expect("dropped", shm_map(h, 0, SIZE, PROT_READ), E_BADPORT);
  if (failures == 0) print(`[USER shmcap] two processes shared memory through a capability passed in IPC\n`);
  return i32(failures);
}
