// IPC buffers moved by mapping instead of copying (SEND_MAP, abi/syscall.ts): the sender's pages
// are shared copy-on-write with the message, and the receiver gets them mapped, copy-on-write too,
// in a new anonymous VMA of its own. Nothing is copied unless one side writes (mm/vma.ts
// cow_break copies the page then, or just makes it writable again for the frame's last user).
//
// pages_take runs in the sender's context: each page of the buffer (faulted in first) must be
// private memory (PTE_OWNED: anonymous, stack, image or a private file copy); its frame gets one
// more reference (pmm_share) held by the message, and a writable page becomes read-only with
// PTE_COW, as fork does (vmm_clone_user). A shared-memory or shared-file page is not private:
// then nothing is held and the caller copies instead. pages_map runs in the receiver's context
// and hands the message's references over to the new mappings; pages_release drops them when
// the message never arrives. Each page changes in one irq-off section (user pages are only
// unmapped that way, mm/usercopy.ts), and pages_map makes the whole VMA and its pages in one.

import { AddressSpace, vmm_pte, vmm_replace, vmm_map_demand } from "./vmm";
import { pmm_share, pmm_free, pmm_unreserve } from "./pmm";
import { vma_add, vm_populate, vma_flags, VMA_ANON } from "./vma";
import { user_unmapped } from "./usercopy";
import { PAGE_SIZE } from "./layout";
import { log_error } from "../lib/log";
import { irq_save, irq_restore, PTE_P, PTE_U, PTE_W, PTE_OWNED, PTE_COW, PTE_ADDR, PTE_NX } from "../arch/hal";

/**
 * Shares the `pages` pages at va (page aligned) of space copy-on-write: their frames into the
 * list at `list` (u64 each), one reference each held by the list. False (nothing held) when a
 * page is not private user memory or cannot be made present.
 */
export function pages_take(space: AddressSpace, va: u64, pages: u64, list: u64): bool {
  for (let i: u64 = 0; i < pages; i++) {
    let at = va + i * PAGE_SIZE;
    let ok = vm_populate(space, at, false);
    let irq = irq_save();
    let e = ok ? vmm_pte(space, at) : 0;
    ok = (e & (PTE_P | PTE_U | PTE_OWNED)) == (PTE_P | PTE_U | PTE_OWNED) && pmm_share(e & PTE_ADDR);
    if (ok && (e & PTE_W) != 0) {
      vmm_replace(space, at, (e & ~PTE_W) | PTE_COW);
      user_unmapped(); // its permissions shrank: drop every cached write check
    }
    irq_restore(irq);
    if (!ok) {
      pages_release(list, i);
      return false;
    }
    store<u64>(list + i * 8, e & PTE_ADDR);
  }
  return true;
}

/** Drops the references a list of `pages` frames holds. */
export function pages_release(list: u64, pages: u64): void {
  for (let i: u64 = 0; i < pages; i++) pmm_free(load<u64>(list + i * 8));
}

/**
 * Maps the list's `pages` frames at base in space, read-only and copy-on-write, as a new
 * writable anonymous VMA [base, base + pages pages), handing the list's references over to the
 * mappings. False (the references still the list's, nothing mapped) when the VMA cannot be made
 * (memory short, range taken). The caller picks base (the process's mmap_next) and calls this in
 * one irq-off section. vma_add reserves a frame per page; the page tables the mappings need may
 * use those (vmm_map_demand), and a range of n >= 4 pages needs at most n new tables, so once the
 * VMA is made no mapping fails for want of memory. Should one fail all the same, its reference is
 * dropped and the page stays untouched (it reads as zeros; its reservation covers a later touch)
 * and the error is logged.
 */
export function pages_map(space: AddressSpace, base: u64, list: u64, pages: u64): bool {
  if (!vma_add(space, base, base + pages * PAGE_SIZE, vma_flags(true, false), VMA_ANON)) return false;
  let mapped: u64 = 0;
  for (let i: u64 = 0; i < pages; i++) {
    let pa = load<u64>(list + i * 8);
    if (vmm_map_demand(space, base + i * PAGE_SIZE, pa, PTE_U | PTE_NX | PTE_OWNED | PTE_COW)) {
      mapped++;
    } else {
      pmm_free(pa);
      log_error(`pages_map: no page table for ${hex(base + i * PAGE_SIZE)}: the page is left untouched`);
    }
  }
  pmm_unreserve(mapped); // present from the start: no first touch to promise a frame for
  return true;
}
