// Kernel-side IPC definitions. The message layout, flags and status codes are the kernel/user ABI
// and live in kernel-src/abi/ (shared with the user programs).

import { kmalloc, kfree } from "../mm/kmalloc";
import { Quota, quota_charge_bytes, quota_credit_bytes } from "../proc/quota";
import { shm_put } from "../mm/shm";
import { pages_release } from "../mm/pagemove";
import { PAGE_SIZE, p2v } from "../mm/layout";

/** Messages a port queues before senders block (or get E_FULL with IPC_NONBLOCK). */
export const IPC_QUEUE_CAPACITY: u32 = 16;

// Copies on the IPC fast path move 8 bytes at a time, unrolled: a message is 13 words, its inline
// data 8. (memcpy compiles to `rep movsb`, one step per byte; counted in instructions under QEMU
// -icount that is 64 for the inline data alone, and byte steps are not fast on real CPUs either.)

/** Copies the 64 inline bytes at src to dst. */
export function copy_inline(dst: u64, src: u64): void {
  store<u64>(dst, load<u64>(src));
  store<u64>(dst, load<u64>(src, 8), 8);
  store<u64>(dst, load<u64>(src, 16), 16);
  store<u64>(dst, load<u64>(src, 24), 24);
  store<u64>(dst, load<u64>(src, 32), 32);
  store<u64>(dst, load<u64>(src, 40), 40);
  store<u64>(dst, load<u64>(src, 48), 48);
  store<u64>(dst, load<u64>(src, 56), 56);
}

/**
 * Copies a whole IpcMessage (112 bytes: 3 header words, the inline data, 2 buffer words, cap). Written
 * out rather than calling copy_inline: a leaf costs no call and saves no registers.
 */
export function copy_message(dst: u64, src: u64): void {
  store<u64>(dst, load<u64>(src));
  store<u64>(dst, load<u64>(src, 8), 8);
  store<u64>(dst, load<u64>(src, 16), 16);
  store<u64>(dst, load<u64>(src, 24), 24);
  store<u64>(dst, load<u64>(src, 32), 32);
  store<u64>(dst, load<u64>(src, 40), 40);
  store<u64>(dst, load<u64>(src, 48), 48);
  store<u64>(dst, load<u64>(src, 56), 56);
  store<u64>(dst, load<u64>(src, 64), 64);
  store<u64>(dst, load<u64>(src, 72), 72);
  store<u64>(dst, load<u64>(src, 80), 80);
  store<u64>(dst, load<u64>(src, 88), 88);
  store<u64>(dst, load<u64>(src, 96), 96);
  store<u64>(dst, load<u64>(src, 104), 104);
}

// ---- kernel copies of out-of-line buffers ----
// Each is charged to the quota of the process whose send made it (0: a kernel sender), whoever
// frees it: a header before the data keeps the quota and the size. A message that grants a
// shared-memory object has a kernel copy even with no data (0 bytes): the header also holds the
// reference to the object that travels with the message and its rights (mm/shm.ts), so the
// one owner of the kernel copy, whichever path it takes, is also the owner of the reference:
// delivery takes it out (ipc_buf_take_shm), every other end drops it (ipc_buf_free).
// A buffer moved by mapping (SEND_MAP, mm/pagemove.ts) holds, instead of the bytes, the list of
// its pages' frames, one reference each (`pages` in the header); a user receiver may take them
// over as mappings (ipc_buf_take_pages), anyone else reads the bytes through ipc_buf_span.

const KBUF_HDR: u64 = 48; // quota, size, shm record, shm rights, pages (0: the bytes follow), pad

function alloc(data: u64, n: u64, q: u64): u64 {
  if (q != 0 && !quota_charge_bytes(changetype<Quota>(q), n)) return 0;
  let a = kmalloc(data + KBUF_HDR);
  if (a == 0) {
    if (q != 0) quota_credit_bytes(changetype<Quota>(q), n);
    return 0;
  }
  store<u64>(a, q);
  store<u64>(a, n, 8);
  store<u64>(a, 0, 16);
  store<u64>(a, 0, 24);
  store<u64>(a, 0, 32);
  return a + KBUF_HDR;
}

/** A kernel buffer of n bytes charged to q (a Quota address, or 0); 0 when over quota or out of memory. */
export function ipc_buf_alloc(n: u64, q: u64): u64 {
  return alloc(n, n, q);
}

/**
 * A kernel buffer for n bytes moved by mapping, charged to q like a copy (the frames it will hold):
 * room for the list of its pages' frames, which the caller fills (mm/pagemove.ts pages_take) and
 * then declares with ipc_buf_set_pages. 0 when over quota or out of memory.
 */
export function ipc_buf_alloc_pages(n: u64, q: u64): u64 {
  return alloc(((n + PAGE_SIZE - 1) / PAGE_SIZE) * 8, n, q);
}

/** The frame list of b is filled: b now holds a reference to each of its pages. */
export function ipc_buf_set_pages(b: u64): void {
  store<u64>(b - KBUF_HDR, (load<u64>(b - KBUF_HDR, 8) + PAGE_SIZE - 1) / PAGE_SIZE, 32);
}

/** Pages whose frames b holds (0: b holds the bytes themselves). */
export function ipc_buf_pages(b: u64): u64 {
  return load<u64>(b - KBUF_HDR, 32);
}

/** The frame references of b are taken over (mapped by the receiver): b no longer drops them. */
export function ipc_buf_take_pages(b: u64): void {
  store<u64>(b - KBUF_HDR, 0, 32);
}

/** Where byte `off` of b's data is in the kernel (through the direct map for a buffer of pages). */
export function ipc_buf_at(b: u64, off: u64): u64 {
  if (ipc_buf_pages(b) == 0) return b + off;
  return p2v(load<u64>(b + (off / PAGE_SIZE) * 8)) + (off & (PAGE_SIZE - 1));
}

/** How many of the `len` bytes from byte `off` of b's data are contiguous at ipc_buf_at(b, off). */
export function ipc_buf_run(b: u64, off: u64, len: u64): u64 {
  let in_page = PAGE_SIZE - (off & (PAGE_SIZE - 1));
  return ipc_buf_pages(b) == 0 || len < in_page ? len : in_page;
}

/** The bytes b's data holds (its sender's buffer_size). */
export function ipc_buf_size(b: u64): u64 {
  return load<u64>(b - KBUF_HDR, 8);
}

/** Copies the first n bytes of b's data to the kernel address dst (a kernel receiver's buffer). */
export function ipc_buf_copy(dst: u64, b: u64, n: u64): void {
  for (let off: u64 = 0; off < n; ) {
    let run = ipc_buf_run(b, off, n - off);
    memcpy(dst + off, ipc_buf_at(b, off), run);
    off += run;
  }
}

/** The buffer b carries a reference to the shared-memory object s with rights (given over to b). */
export function ipc_buf_attach_shm(b: u64, s: u64, rights: u64): void {
  store<u64>(b - KBUF_HDR, s, 16);
  store<u64>(b - KBUF_HDR, rights, 24);
}

/** The shared-memory object b carries (0: none), taken out of b with its reference. */
export function ipc_buf_take_shm(b: u64): u64 {
  let s = load<u64>(b - KBUF_HDR, 16);
  store<u64>(b - KBUF_HDR, 0, 16);
  return s;
}

/** The rights that go with the object b carries (read before ipc_buf_take_shm). */
export function ipc_buf_shm_rights(b: u64): u64 {
  return load<u64>(b - KBUF_HDR, 24);
}

export function ipc_buf_free(b: u64): void {
  let a = b - KBUF_HDR;
  let q = load<u64>(a);
  if (q != 0) quota_credit_bytes(changetype<Quota>(q), load<u64>(a, 8));
  let s = load<u64>(a, 16);
  if (s != 0) shm_put(s);
  let pages = load<u64>(a, 32);
  if (pages != 0) pages_release(b, pages);
  kfree(a);
}
