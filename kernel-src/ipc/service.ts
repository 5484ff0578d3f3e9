// A kernel-side IPC service, on the first port created at boot (SERVICE_PORT), for user programs
// and self-tests. Requests (message type):
//   SVC_UPPER: reply with the inline data upper-cased (ASCII)
//   SVC_SUM:   reply with the out-of-line buffer's byte sum and length as two u64 inline
//   SVC_NOTE:  no reply; counted
//   SVC_SLEEP: sleep the inline u64 milliseconds (at most 100), then reply: a call held open, so
//              that a test can unmap the caller's message page before the reply (systest)
// Non-call messages of the other types are counted and dropped.

import { IpcMessage, IPC_MAX_BUFFER, SERVICE_PORT, inline_addr, SVC_UPPER, SVC_SUM, SVC_NOTE, SVC_SLEEP } from "../abi/ipc";
import { E_DESTROYED, E_BADPORT } from "../abi/errors";
import { ipc_create_port, ipc_reply_wait } from "./port";
import { thread_create, thread_sleep } from "../sched/scheduler";
import { PRIORITY_HIGH } from "../sched/thread";
import { kmalloc } from "../mm/kmalloc";
import { panic } from "../lib/panic";


let service_port: u64 = 0;
let notes: u64 = 0;
let served: u64 = 0;

function handle(req: IpcMessage, resp: IpcMessage): void {
  resp.type = req.type;
  resp.buffer = 0;
  resp.buffer_size = 0;
  let src = inline_addr(req);
  let dst = inline_addr(resp);
  memset(dst, 0, 64);
  if (req.type == SVC_UPPER) {
    for (let i: u64 = 0; i < 64; i++) {
      let c = load<u8>(src + i);
      store<u8>(dst + i, c >= 97 && c <= 122 ? c - 32 : c);
    }
  } else if (req.type == SVC_SUM) {
    let sum: u64 = 0;
    for (let i: u64 = 0; i < req.buffer_size; i++) sum += u64(load<u8>(req.buffer + i));
    store<u64>(dst, sum);
    store<u64>(dst, req.buffer_size, 8);
  } else if (req.type == SVC_NOTE) {
    notes++;
  } else if (req.type == SVC_SLEEP) {
    let ms = load<u64>(src);
    thread_sleep(ms < 100 ? ms : 100);
  }
}

/** Answers each call and waits for the next request in one step (ipc_reply_wait). */
function service_main(arg: u64): void {
  let req = new IpcMessage();
  let resp = new IpcMessage();
  let buf = kmalloc(IPC_MAX_BUFFER);
  while (true) {
    req.buffer = buf;
    req.buffer_size = IPC_MAX_BUFFER;
    let r = ipc_reply_wait(service_port, req, resp); // req: a call answered by resp, or flags 0
    if (r == E_DESTROYED || r == E_BADPORT) return;
    if (r < 0) {
      req.flags = 0; // a failed receive (E_TRUNC) or reply: nothing to answer next time
      continue;
    }
    handle(req, resp);
    served++;
  }
}

/** Creates the service port (before any other port, so that it is port 1) and its thread. */
export function service_init(): void {
  service_port = ipc_create_port(0); // user processes get a send right to it as SERVICE_PORT
}

export function service_start(): void {
  if (thread_create(service_main, 0, PRIORITY_HIGH, "ipc_service") == 0) panic(`ipc: cannot start the service`);
}

export function service_port_id(): u64 {
  return service_port;
}

export function service_notes(): u64 {
  return notes;
}

export function service_served(): u64 {
  return served;
}
