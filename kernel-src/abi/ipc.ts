// The kernel/user ABI: the IPC message (the seed's struct ipc_message), its flags, and the kernel
// service's port and request types. Kernel and user programs both compile this file.
//
//   offset  0  sender_tid   filled in by the kernel on send
//   offset  8  msg_id       filled in by the kernel on send (unique, increasing)
//   offset 16  type         free for the protocol
//   offset 20  flags        IPC_FLAG_* (the kernel sets IPC_FLAG_CALL on a call)
//   offset 24  inline_data  64 bytes, always copied: the fast path
//   offset 88  buffer       optional out-of-line data (sender: source; receiver: destination)
//   offset 96  buffer_size  sender: bytes to send; receiver: capacity in, bytes received out
//   offset 104 cap          sender (with SEND_GRANT): a handle whose send right, or whose
//                           shared-memory object (its map rights), goes with the message;
//                           receiver: the handle it got in its own table (IPC_FLAG_CAP set, and
//                           IPC_FLAG_SHM for a shared-memory object), else 0
//
// Ports are named by capability handles (kernel-src/ipc/cap.ts): small numbers valid only in the
// process that holds them. Every process starts with SERVICE_PORT (a send right to the kernel
// service) and OWN_PORT (its own port, send and receive; main's argument).

export class IpcMessage {
  sender_tid: u64 = 0;
  msg_id: u64 = 0;
  type: u32 = 0;
  flags: u32 = 0;
  inline_data!: InlineArray<u8, 64>;
  buffer: usize = 0;
  buffer_size: usize = 0;
  cap: u64 = 0;
}

export const IPC_INLINE_SIZE: u64 = 64;
/** Largest out-of-line buffer the kernel copies. */
export const IPC_MAX_BUFFER: u64 = 65536;

/** Flag for send/receive: E_FULL / E_AGAIN instead of blocking. */
export const IPC_NONBLOCK: u64 = 1;
/**
 * Flag for receive: a buffer sent with SEND_MAP may arrive mapped (IPC_FLAG_MAPPED): buffer is
 * then the address of a new mapping of buffer_size bytes in our address space (copy-on-write
 * pages shared with the sender; SYS_MUNMAP it when done) instead of a copy into our buffer.
 */
export const IPC_RECEIVE_MAP: u64 = 2;
/** SEND_MAP moves a buffer by mapping from this size up (smaller ones, or unaligned, are copied). */
export const IPC_MAP_MIN: u64 = 16384;
/** Message flag: the message is a call; the sender waits for the reply. */
export const IPC_FLAG_CALL: u32 = 1;
/** Message flag: the message carries a capability (its handle in cap). */
export const IPC_FLAG_CAP: u32 = 2;
/** Message flag (with IPC_FLAG_CAP, set on receipt): the capability is a shared-memory object. */
export const IPC_FLAG_SHM: u32 = 4;
/** Message flag: the buffer arrived mapped (see IPC_RECEIVE_MAP). */
export const IPC_FLAG_MAPPED: u32 = 8;

/** Capability rights: of a port ... */
export const CAP_SEND: u64 = 1;
export const CAP_RECEIVE: u64 = 2;
/** ... and of a shared-memory object (SYS_SHM_CREATE gives all three; a grant passes the first two). */
export const CAP_MAP_READ: u64 = 4; // map it (every mapping can be read)
export const CAP_MAP_WRITE: u64 = 8; // map it writable
export const CAP_SHM_OWNER: u64 = 16; // revoke every other capability to it (stays with its creator)

/** The kernel's IPC service (kernel-src/ipc/service.ts): its handle in every process, request types. */
export const SERVICE_PORT: u64 = 1;
/** A process's own port: its handle in the process's table (also main's argument). */
export const OWN_PORT: u64 = 2;
export const SVC_UPPER: u32 = 1; // reply with the inline data upper-cased (ASCII)
export const SVC_SUM: u32 = 2; // reply with the buffer's byte sum and length as two u64 inline
export const SVC_NOTE: u32 = 3; // no reply; counted
export const SVC_SLEEP: u32 = 4; // sleep inline u64 ms (at most 100), then reply with zeros (tests)

export function inline_addr(m: IpcMessage): usize {
  return changetype<usize>(m) + offsetof<IpcMessage>("inline_data");
}
