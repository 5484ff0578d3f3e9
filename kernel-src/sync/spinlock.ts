// Ticket spinlocks: FIFO-fair busy-wait locks for data shared between CPUs.
//
// A lock is two 32-bit counters: `next` (the ticket the next locker draws, with lock xadd) and
// `owner` (the ticket now served). Lock draws a ticket and spins, with pause, until owner reaches
// it; unlock advances owner. Only the holder writes owner, so unlock is a load and a store (an
// xchg: x86's store with a full barrier, so nothing of the critical section leaks past it).
// Uncontended, lock + unlock is about 10 instructions (`-append bench`, spin_lock_unlock).
//
// A spinlock is held with interrupts off whenever an interrupt handler may take the same lock:
// spin_lock_irqsave / spin_unlock_irqrestore do both (interrupts off first, so an interrupt on
// this CPU cannot try to take a lock its own CPU holds). A holder never sleeps or blocks.
// Lock order, and which lock protects what, is written down per subsystem in docs/locking.md.

import { irq_save, irq_restore } from "../arch/hal";

export class Spinlock {
  next: u32 = 0; // 0: the next ticket to draw
  owner: u32 = 0; // 4: the ticket being served
}

const OWNER: u64 = 4;

export function spin_lock(l: Spinlock): void {
  let a = changetype<u64>(l);
  let ticket = atomic_fetch_add<u32>(a, 1);
  while (atomic_load<u32>(a + OWNER) != ticket) pause();
}

export function spin_unlock(l: Spinlock): void {
  let a = changetype<u64>(l) + OWNER;
  atomic_store<u32>(a, atomic_load<u32>(a) + 1);
}

/** Takes l only if it is free; true when taken. */
export function spin_try_lock(l: Spinlock): bool {
  let a = changetype<u64>(l);
  let v = atomic_load<u64>(a);
  if (u32(v & 0xffffffff) != u32(v >> 32)) return false;
  return atomic_cmpxchg<u64>(a, v, v + 1) == v; // next + 1, owner unchanged
}

/** True while someone holds l (for assertions). */
export function spin_is_locked(l: Spinlock): bool {
  let v = atomic_load<u64>(changetype<u64>(l));
  return u32(v & 0xffffffff) != u32(v >> 32);
}

/** Interrupts off, then the lock; returns the interrupt state for spin_unlock_irqrestore. */
export function spin_lock_irqsave(l: Spinlock): u64 {
  let flags = irq_save();
  spin_lock(l);
  return flags;
}

export function spin_unlock_irqrestore(l: Spinlock, flags: u64): void {
  spin_unlock(l);
  irq_restore(flags);
}
