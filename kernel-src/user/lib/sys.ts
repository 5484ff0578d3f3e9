// The user-side system-call library shared by the programs in kernel-src/user/ (each program is
// compiled on its own, with this file and kernel-src/abi/, into an ELF that the build puts in the
// ramdisk as /bin/<name> and the kernel runs in ring 3). Numbers, flags, error codes and the message layout come from kernel-src/abi/, which the
// kernel compiles too: programs import those from there.

import { IpcMessage } from "../../abi/ipc";
import {
  SYS_EXIT, SYS_WRITE, SYS_READ, SYS_SLEEP, SYS_YIELD, SYS_THREAD_CREATE, SYS_THREAD_EXIT,
  SYS_IPC_SEND, SYS_IPC_RECEIVE, SYS_MMAP, SYS_MUNMAP, SYS_OPEN, SYS_CLOSE, SYS_SEEK, SYS_STAT,
  SYS_READDIR, SYS_SPAWN, SYS_UNLINK, SYS_MMAP_FILE, SYS_FORK, SYS_SHM_CREATE, SYS_PORT_CREATE, SYS_CAP_DROP,
  SYS_CAP_REVOKE, SYS_SHM_MAP, SYS_SHM_RESTRICT, SYS_IPC_REPLY_WAIT, SYS_SCHED_SETAFFINITY, SYS_GETCPU,
} from "../../abi/syscall";
import { FsStat } from "../../abi/fs";

export function write(s: string): i64 {
  return syscall(SYS_WRITE, 1, changetype<usize>(s), u64(s.length));
}

export function write_bytes(addr: usize, len: u64): i64 {
  return syscall(SYS_WRITE, 1, addr, len);
}

// ---- formatted output, through a line buffer ----
let line!: InlineArray<u8, 256>;
let line_len: u64 = 0;

function putc(c: u8): void {
  if (line_len == 256) flush();
  line[i32(line_len)] = c;
  line_len++;
}

function flush(): void {
  if (line_len > 0) syscall(SYS_WRITE, 1, addr_of(line), line_len);
  line_len = 0;
}

function put_udec(v: u64): void {
  let p: u64 = 1;
  while (v / p >= 10) p *= 10;
  while (p > 0) {
    putc(u8(48 + (v / p) % 10));
    p /= 10;
  }
}

function put_hex(v: u64): void {
  putc(48);
  putc(120);
  let shift: u64 = 60;
  while (shift > 0 && ((v >> shift) & 0xf) == 0) shift -= 4;
  while (true) {
    let d = u8((v >> shift) & 0xf);
    putc(d < 10 ? 48 + d : 55 + d);
    if (shift == 0) break;
    shift -= 4;
  }
}

/** printf for user programs: a template literal, one write system call per 256 bytes. */
export function print(f: fmt): void {
  let n = fmt_count(f);
  for (let i: usize = 0; i < n; i++) {
    let kind = fmt_kind(f, i);
    let v = fmt_value(f, i);
    if (kind == FMT_STR) {
      let s = changetype<string>(v);
      for (let j: i32 = 0; j < s.length; j++) putc(s.charCodeAt(j));
    } else if (kind == FMT_INT) {
      if (i64(v) < 0) {
        putc(45);
        put_udec(u64(0) - v);
      } else put_udec(v);
    } else if (kind == FMT_UINT) put_udec(v);
    else put_hex(v);
  }
  flush();
}

export function exit(code: i64): void {
  syscall(SYS_EXIT, u64(code));
}

export function sleep(ms: u64): i64 {
  return syscall(SYS_SLEEP, ms);
}

export function yield_cpu(): i64 {
  return syscall(SYS_YIELD);
}

/** The calling thread may run only on the CPUs of mask (bit per CPU id); 0 or E_INVAL. */
export function sched_setaffinity(mask: u64): i64 {
  return syscall(SYS_SCHED_SETAFFINITY, mask);
}

/** The id of the CPU the caller runs on. */
export function getcpu(): i64 {
  return syscall(SYS_GETCPU);
}

/** Keeps the calling thread (and the threads it creates from now on) on the CPU it runs on. */
export function pin_to_this_cpu(): void {
  sched_setaffinity(u64(1) << u64(getcpu()));
}

export function thread_create(entry: usize, arg: u64, priority: u64): i64 {
  return syscall(SYS_THREAD_CREATE, entry, arg, priority);
}

export function thread_exit(): void {
  syscall(SYS_THREAD_EXIT);
}

export function ipc_send(port: u64, m: IpcMessage, flags: u64): i64 {
  return syscall(SYS_IPC_SEND, port, changetype<usize>(m), flags);
}

export function ipc_receive(port: u64, m: IpcMessage, flags: u64): i64 {
  return syscall(SYS_IPC_RECEIVE, port, changetype<usize>(m), flags);
}

/**
 * A server's loop step: answers the call received in req (when req.flags has IPC_FLAG_CALL) with
 * resp, then waits for the next message on port and receives it into req (req.buffer and
 * req.buffer_size: where its buffer goes). req and resp may be the same message (an inline-only
 * answer). A failed reply is returned at once, without waiting: clear req.flags and call again
 * (or receive) to wait. Faster than SEND_REPLY and a receive: one trap, and the kernel switches
 * straight to the caller.
 */
export function ipc_reply_wait(port: u64, req: IpcMessage, resp: IpcMessage): i64 {
  return syscall(SYS_IPC_REPLY_WAIT, port, changetype<usize>(req), changetype<usize>(resp));
}

export function mmap(len: u64, prot: u64): i64 {
  return syscall(SYS_MMAP, 0, len, prot);
}

export function munmap(addr: u64, len: u64): i64 {
  return syscall(SYS_MUNMAP, addr, len);
}

export function read(buf: usize, len: u64): i64 {
  return syscall(SYS_READ, 0, buf, len);
}

/** A new port of our own: its handle (send and receive rights), or E_NOMEM at the limit. */
export function port_create(): i64 {
  return syscall(SYS_PORT_CREATE);
}

/** Empties capability slot h (for a port we own: destroys the port). */
export function cap_drop(h: u64): i64 {
  return syscall(SYS_CAP_DROP, h);
}

/** Voids every right to our port h that others hold (h itself stays valid). */
export function cap_revoke(h: u64): i64 {
  return syscall(SYS_CAP_REVOKE, h);
}

// ---- files (abi/fs.ts) ----
export function open(path: string, flags: u64): i64 {
  return syscall(SYS_OPEN, changetype<usize>(path), u64(path.length), flags);
}

export function close(fd: u64): i64 {
  return syscall(SYS_CLOSE, fd);
}

export function fread(fd: u64, buf: usize, len: u64): i64 {
  return syscall(SYS_READ, fd, buf, len);
}

export function fwrite(fd: u64, buf: usize, len: u64): i64 {
  return syscall(SYS_WRITE, fd, buf, len);
}

export function seek(fd: u64, offset: i64, whence: u64): i64 {
  return syscall(SYS_SEEK, fd, u64(offset), whence);
}

export function stat(path: string, out: FsStat): i64 {
  return syscall(SYS_STAT, changetype<usize>(path), u64(path.length), changetype<usize>(out));
}

export function readdir(fd: u64, index: u64, buf: usize, len: u64): i64 {
  return syscall(SYS_READDIR, fd, index, buf, len);
}

/** Starts the program at path (detached); its pid. */
export function spawn(path: string, priority: u64): i64 {
  return syscall(SYS_SPAWN, changetype<usize>(path), u64(path.length), priority);
}

export function unlink(path: string): i64 {
  return syscall(SYS_UNLINK, changetype<usize>(path), u64(path.length));
}

/** Maps len bytes of an open file from offset (MAP_SHARED or MAP_PRIVATE); the address. */
export function syscall_mmap_file(fd: u64, offset: u64, len: u64, prot: u64, share: u64): i64 {
  return syscall(SYS_MMAP_FILE, fd, offset, len, prot, share);
}

/** A copy-on-write copy of this process: the child's pid here, 0 in the child (negative: error). */
export function fork(): i64 {
  return syscall(SYS_FORK);
}

/** A shared-memory object of size bytes: its capability handle (every right; pass it with SEND_GRANT). */
export function shm_create(size: u64): i64 {
  return syscall(SYS_SHM_CREATE, size);
}

/** Maps len bytes of the shared-memory object named by handle h from offset (PROT_READ, PROT_WRITE); the address. */
export function shm_map(h: u64, offset: u64, len: u64, prot: u64): i64 {
  return syscall(SYS_SHM_MAP, h, offset, len, prot);
}

/** A new handle to the object h names, with only `rights` (CAP_MAP_READ, CAP_MAP_WRITE). */
export function shm_restrict(h: u64, rights: u64): i64 {
  return syscall(SYS_SHM_RESTRICT, h, rights);
}
