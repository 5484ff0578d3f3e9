// Kernel stacks, each with an unmapped guard page below it: a thread that overflows its kernel
// stack faults on the guard page (#PF, then #DF on its own IST stack, reported with the faulting
// address) instead of silently writing over whatever the heap put below it.
//
// Stacks live in their own region of the kernel half (KSTACK_BASE, in the part of the address
// space every process shares), in slots of KERNEL_STACK_SIZE plus one guard page. A stack's pages
// are fresh frames mapped global, writable and NX, owned by the mapping (unmapping frees them).
// The region's page tables are made once at boot (kstack_init: 4096 slots, 272 MiB of address
// space, 137 table pages), so making and freeing stacks changes no count but the stacks' own frames.

import { vmm_map, vmm_unmap_kernel_range, vmm_kernel_space, vmm_prepare_kernel_tables } from "./vmm";
import { panic } from "../lib/panic";
import { pmm_alloc, pmm_free } from "./pmm";
import { PAGE_SIZE, KSTACK_BASE } from "./layout";
import { PTE_W, PTE_NX, PTE_G, PTE_OWNED, irq_save, irq_restore } from "../arch/hal";

/** Bytes of one kernel stack (sched/thread.ts KERNEL_STACK_SIZE matches it). */
export const KSTACK_SIZE: u64 = 65536;
const SLOT_SIZE: u64 = KSTACK_SIZE + PAGE_SIZE; // the guard page first, then the stack
const MAX_KSTACKS: u64 = 4096; // every thread in the system has one
const LARGE_PAGE: u64 = 2 * 1024 * 1024; // what one page table maps

let free_slots!: InlineArray<u32, 4096>;
let free_count: u64 = 0;
let fresh: u64 = 0; // slots below this have been used
let live: u64 = 0;

/** Makes the page tables of the whole region (before the first thread). */
export function kstack_init(): void {
  for (let va = KSTACK_BASE; va < KSTACK_BASE + MAX_KSTACKS * SLOT_SIZE; va += LARGE_PAGE) {
    if (!vmm_prepare_kernel_tables(va)) panic(`kstack: no memory for the stack region's page tables`);
  }
}

/** The lowest address of a new kernel stack (KSTACK_SIZE bytes), or 0 when out of memory. */
export function kstack_alloc(): u64 {
  let irq = irq_save();
  let slot: u64 = MAX_KSTACKS;
  if (free_count > 0) slot = u64(free_slots[i32(--free_count)]);
  else if (fresh < MAX_KSTACKS) slot = fresh++;
  irq_restore(irq);
  if (slot == MAX_KSTACKS) return 0;
  let base = KSTACK_BASE + slot * SLOT_SIZE + PAGE_SIZE;
  for (let off: u64 = 0; off < KSTACK_SIZE; off += PAGE_SIZE) {
    let pa = pmm_alloc();
    if (pa != 0 && vmm_map(vmm_kernel_space(), base + off, pa, PTE_W | PTE_NX | PTE_G | PTE_OWNED)) continue;
    if (pa != 0) pmm_free(pa);
    release(base, off);
    return 0;
  }
  irq = irq_save();
  live++;
  irq_restore(irq);
  return base;
}

/** Gives back a stack kstack_alloc returned (its frames and its slot). */
export function kstack_free(base: u64): void {
  release(base, KSTACK_SIZE);
  let irq = irq_save();
  live--;
  irq_restore(irq);
}

/** Unmaps the first `mapped` bytes of the stack at base and puts its slot on the free list. */
function release(base: u64, mapped: u64): void {
  vmm_unmap_kernel_range(base, mapped);
  let irq = irq_save();
  free_slots[i32(free_count++)] = u32((base - PAGE_SIZE - KSTACK_BASE) / SLOT_SIZE);
  irq_restore(irq);
}

/** Kernel stacks alive (tests). */
export function kstack_live(): u64 {
  return live;
}
