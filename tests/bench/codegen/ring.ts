// Ring-buffer message queue: 64 slots of a 48-byte message struct, free-running head/tail
// counters. Each round a producer posts a burst of messages (if there is room) and a consumer
// takes a burst and folds each message into a running digest.
import { report, rnd } from "./lib/out";

class Msg {
  kind: u32 = 0;
  len: u32 = 0;
  sender: u64 = 0;
  data!: InlineArray<u64, 4>;
}

const SLOTS: u32 = 64;

let ring!: InlineArray<u64, 384>; // 64 * sizeof<Msg>() bytes
let head: u32 = 0; // next to receive
let tail: u32 = 0; // next to send
let dropped: u32 = 0;

function slot(n: u32): Msg {
  return changetype<Msg>(addr_of(ring) + usize(n & (SLOTS - 1)) * sizeof<Msg>());
}

function send(kind: u32, sender: u64, word: u64): bool {
  if (tail - head == SLOTS) return false;
  const m = slot(tail);
  m.kind = kind;
  m.len = kind & 3;
  m.sender = sender;
  for (let i: u32 = 0; i < 4; i++) m.data[i] = word + u64(i);
  tail++;
  return true;
}

function receive(): u64 {
  const m = slot(head);
  let h = u64(m.kind) * 0x100000001B3 ^ m.sender;
  for (let i: u32 = 0; i <= m.len; i++) h = (h ^ m.data[i]) * 0x100000001B3;
  head++;
  return h;
}

export function main(): void {
  let digest: u64 = 0xCBF29CE484222325;
  for (let round: u32 = 0; round < 150000; round++) {
    const r = rnd();
    const sends = r & 7;
    for (let i: u32 = 0; i < sends; i++) {
      if (!send(r >> 8, u64(round), u64(r) * u64(i + 1))) dropped++;
    }
    const recvs = (r >> 3) & 7;
    for (let i: u32 = 0; i < recvs && head != tail; i++) digest = digest * 31 + receive();
  }
  report("ring", digest + u64(dropped));
}
