// Shared memory between two processes, for the kernel's test (test/vm_tests.ts): a shared-memory
// object (SYS_SHM_CREATE, a capability) mapped twice in this process (two views of the same
// frames), then a fork: the child writes through its inherited mapping, and the parent, told by an
// IPC message, reads what the child wrote; the child also checks it sees what the parent wrote
// before, and that its inherited handle maps the same object. (user/shmcap passes the capability
// in a message instead.) Exit status: the number of checks that failed.

import { write, fork, exit, munmap, cap_drop, ipc_send, ipc_receive, shm_create, shm_map } from "../lib/sys";
import { PROT_READ, PROT_WRITE } from "../../abi/syscall";
import { IpcMessage } from "../../abi/ipc";

const SIZE: u64 = 16384;
let msg!: Inline<IpcMessage>;

export function main(port: u64): i32 {
  let failures: i32 = 0;
  let h = shm_create(SIZE);
  if (h <= 0) return 100;
  let a = u64(shm_map(u64(h), 0, SIZE, PROT_READ | PROT_WRITE));
  let b = u64(shm_map(u64(h), 0, SIZE, PROT_READ | PROT_WRITE));
  if (i64(a) <= 0 || i64(b) <= 0 || a == b) return 101;
  if (load<u64>(a + 8) != 0) failures++; // zero-filled
  store<u64>(a + 8, 123);
  if (load<u64>(b + 8) != 123) failures++; // two views, one frame
  let pid = fork();
  if (pid < 0) return 102;
  if (pid == 0) {
    msg.type = load<u64>(a + 8) == 123 ? 1 : 2; // the child sees the parent's write
    store<u64>(a + 3 * 4096, 0xc0ffee); // and writes for the parent to see
    let c = u64(shm_map(u64(h), 2 * 4096, 8192, PROT_READ)); // the inherited handle: the same object
    if (i64(c) <= 0 || load<u64>(c + 4096) != 0xc0ffee) msg.type = 3;
    ipc_send(port, msg, 0);
    exit(0);
  }
  msg.buffer = 0;
  msg.buffer_size = 0;
  if (ipc_receive(port, msg, 0) != 0 || msg.type != 1) failures++;
  if (load<u64>(b + 3 * 4096) != 0xc0ffee) failures++; // the child's write, through the other view
  if (munmap(a, SIZE) != 0 || munmap(b, SIZE) != 0 || cap_drop(u64(h)) != 0) failures++;
  if (failures == 0) write("[USER shm] two processes shared the object's pages\n");
  return failures;
}
