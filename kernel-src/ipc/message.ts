// The IPC message (the seed's struct ipc_message) and the IPC status codes.
// User programs declare the same layout (kernel-src/user/*/sys.ts); keep them in sync.
//
//   offset  0  sender_tid   filled in by the kernel on send
//   offset  8  msg_id       filled in by the kernel on send (unique, increasing)
//   offset 16  type         free for the protocol
//   offset 20  flags        IPC_FLAG_* (the kernel sets IPC_FLAG_CALL on a call)
//   offset 24  inline_data  64 bytes, always copied: the fast path
//   offset 88  buffer       optional out-of-line data (sender: source; receiver: destination)
//   offset 96  buffer_size  sender: bytes to send; receiver: capacity in, bytes received out

export class IpcMessage {
  sender_tid: u64 = 0;
  msg_id: u64 = 0;
  type: u32 = 0;
  flags: u32 = 0;
  inline_data!: InlineArray<u8, 64>;
  buffer: usize = 0;
  buffer_size: usize = 0;
}

export const IPC_INLINE_SIZE: u64 = 64;
/** Largest out-of-line buffer the kernel copies. */
export const IPC_MAX_BUFFER: u64 = 65536;
/** Messages a port queues before senders block (or get IPC_E_FULL with IPC_NONBLOCK). */
export const IPC_QUEUE_CAPACITY: u32 = 16;

/** Flags for send/receive. */
export const IPC_NONBLOCK: u64 = 1;
/** The message is a call: the sender waits for ipc_reply. */
export const IPC_FLAG_CALL: u32 = 1;

// Status codes, shared with the system-call layer (negative = error).
export const E_OK: i64 = 0;
export const E_INVAL: i64 = -1;
export const E_FAULT: i64 = -2;
export const E_NOSYS: i64 = -3;
export const E_NOMEM: i64 = -4;
export const E_BADPORT: i64 = -5;
export const E_FULL: i64 = -6;
export const E_DESTROYED: i64 = -7;
export const E_TOOBIG: i64 = -8;
export const E_AGAIN: i64 = -9;
export const E_TRUNC: i64 = -10;
export const E_KILLED: i64 = -11;
export const E_BADF: i64 = -12;

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

/** Copies a whole IpcMessage (104 bytes: 3 header words, the inline data, 2 buffer words). */
export function copy_message(dst: u64, src: u64): void {
  store<u64>(dst, load<u64>(src));
  store<u64>(dst, load<u64>(src, 8), 8);
  store<u64>(dst, load<u64>(src, 16), 16);
  copy_inline(dst + 24, src + 24);
  store<u64>(dst, load<u64>(src, 88), 88);
  store<u64>(dst, load<u64>(src, 96), 96);
}
