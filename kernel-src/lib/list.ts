// Intrusive FIFO queues, generic over the element type (docs/language.md#generics).
//
// An element is linked through its own `next` field, which holds the address of the element
// behind it (0 at the end), so queuing never allocates; a queue is any struct with `head` and
// `tail` addresses (0 when empty). The functions are monomorphised per element and queue type
// and inlined, so they compile to the hand-written pointer code they replace: the scheduler's
// wait queues (sched/scheduler.ts, which IPC ports' waiters are) use them. The run queues keep
// their own arrays of heads and tails: as an array of 16-byte queues their index cannot be scaled
// in an x86 address, which cost thread_yield 4 instructions (docs/benchmarks.md).

/** What an element needs: a link to the next element (an address, 0 at the end). */
export class Linked {
  next: u64 = 0;
}

/** What a queue needs: its first and last elements (addresses, 0 when empty). */
export class Ends {
  head: u64 = 0;
  tail: u64 = 0;
}

function at<T extends Linked>(a: u64): T {
  return changetype<T>(a);
}

/** Appends `t`. @inline */
export function fifo_push<Q extends Ends, T extends Linked>(q: Q, t: T): void {
  const a = changetype<u64>(t);
  t.next = 0;
  if (q.tail != 0) at<T>(q.tail).next = a;
  else q.head = a;
  q.tail = a;
}

/** Removes `first`, the queue's first element (the queue must not be empty); returns its address. @inline */
export function fifo_pop<Q extends Ends, T extends Linked>(q: Q, first: T): u64 {
  const a = changetype<u64>(first);
  q.head = first.next;
  if (q.head == 0) q.tail = 0;
  first.next = 0;
  return a;
}

/** Unlinks `t` wherever it is; false if it is not in the queue. */
export function fifo_remove<Q extends Ends, T extends Linked>(q: Q, t: T): bool {
  const a = changetype<u64>(t);
  let prev: u64 = 0;
  let x = q.head;
  while (x != 0 && x != a) {
    prev = x;
    x = at<T>(x).next;
  }
  if (x == 0) return false;
  if (prev == 0) q.head = t.next;
  else at<T>(prev).next = t.next;
  if (q.tail == a) q.tail = prev;
  t.next = 0;
  return true;
}
