// Virtual memory areas: what each range of a user address space is meant to hold, and the
// page-fault handling that follows from it.
//
// Each AddressSpace has a list of VMAs (AddressSpace.vmas), sorted by address, not overlapping;
// each VMA is [start, end), page aligned, with the page-table flags its pages get and a kind:
//   VMA_ANON   anonymous memory: no frame until the first touch, then a zero-filled frame owned
//              by the mapping (demand paging);
//   VMA_GUARD  a guard region (below each user stack): any access is an error, reported as such.
// Only part of the user half is described by VMAs: the ELF image and the thread stacks are mapped
// eagerly and have no VMA (a fault there is a protection error); mmap'd memory is VMA_ANON.
//
// vm_fault decides a user page fault: it maps a zeroed frame when the address lies in an
// anonymous VMA whose permissions allow the access, else it returns why not (a VM_* reason whose
// text vm_fault_reason gives, for the message naming the address when the process is killed).
// vm_populate does the same for the kernel on a user's behalf (mm/usercopy.ts: a system call's
// buffer in memory never touched yet is faulted in before it is checked and copied).
// Changes to the list happen with interrupts off (one VMA at a time), as page faults read it then.
// VMAs come from their own slab cache.

import { AddressSpace, vmm_map_demand, vmm_pte, vmm_replace } from "./vmm";
import { pmm_reserve, pmm_unreserve, pmm_alloc_reserved_zeroed, pmm_free_reserved, pmm_alloc, pmm_free, pmm_is_shared } from "./pmm";
import { slab_cache_create, slab_alloc, slab_free } from "./slab";
import { PAGE_SIZE, page_round_down, p2v } from "./layout";
import { fs_page, fs_span, fs_size, fs_mapped, fs_unmapped } from "../fs/vfs";
import { irq_save, irq_restore, PTE_P, PTE_U, PTE_W, PTE_NX, PTE_OWNED, PTE_COW, PTE_ADDR } from "../arch/hal";

export const VMA_ANON: u32 = 1;
export const VMA_GUARD: u32 = 2;
export const VMA_FILE_SHARED: u32 = 3; // pages are the file's own frames: writes reach the file
export const VMA_FILE_PRIVATE: u32 = 4; // each page a private copy of the file's, made at first touch

// vm_fault's answers: 0 = handled, else why the access is an error.
export const VM_OK: i32 = 0;
export const VM_UNMAPPED: i32 = 1;
export const VM_GUARD: i32 = 2;
export const VM_READ_ONLY: i32 = 3;
export const VM_NO_EXEC: i32 = 4;
export const VM_NO_MEMORY: i32 = 5;
export const VM_PROTECTION: i32 = 6;

const REASONS: readonly string[] = [
  "handled", "no mapping at this address", "guard page (stack overflow or a stray pointer)",
  "write to a read-only mapping", "instruction fetch from a non-executable mapping",
  "out of memory for a demand-paged page", "access not allowed to a present page",
];

export class Vma {
  start: u64 = 0;
  end: u64 = 0;
  flags: u64 = 0; // PTE_U | PTE_W? | PTE_NX? for the pages
  kind: u32 = 0;
  next: u64 = 0;
  node: u64 = 0; // the file (fs/vfs.ts) of a file mapping
  file_off: u64 = 0; // file offset of `start` (page aligned)
}

/** Kinds whose frames are promised at vma_add and taken at first touch. */
function reserves(kind: u32): bool {
  return kind == VMA_ANON || kind == VMA_FILE_PRIVATE;
}

let vma_cache: u64 = 0;
let faults_handled: u64 = 0;

function vma(a: u64): Vma {
  return changetype<Vma>(a);
}

export function vma_init(): void {
  vma_cache = slab_cache_create("vma", sizeof<Vma>());
}

export function vm_fault_reason(why: i32): string {
  return why >= 0 && why < REASONS.length ? REASONS[why] : "unknown";
}

/** The VMA containing va, or 0. */
export function vma_find(space: AddressSpace, va: u64): u64 {
  for (let a = space.vmas; a != 0 && vma(a).start <= va; a = vma(a).next) if (va < vma(a).end) return a;
  return 0;
}

/**
 * Adds [start, end) (page aligned, in the user half) of `kind`; false if it overlaps one or memory
 * is short. Anonymous memory reserves its frames now (pmm_reserve: no overcommit, so a first
 * touch never fails for want of memory); they are taken one by one as pages are touched.
 */
export function vma_add(space: AddressSpace, start: u64, end: u64, flags: u64, kind: u32): bool {
  return vma_add_file(space, start, end, flags, kind, 0, 0);
}

/**
 * vma_add for a file mapping of `node` from file offset `off` (kind VMA_FILE_SHARED or
 * VMA_FILE_PRIVATE; the caller has counted the mapping with fs_mapped, and counts it off with
 * fs_unmapped when vma_add_file fails or the VMA goes).
 */
export function vma_add_file(space: AddressSpace, start: u64, end: u64, flags: u64, kind: u32, node: u64, off: u64): bool {
  if (start >= end || (start & (PAGE_SIZE - 1)) != 0 || (end & (PAGE_SIZE - 1)) != 0) return false;
  let pages = reserves(kind) ? (end - start) / PAGE_SIZE : 0;
  if (!pmm_reserve(pages)) return false;
  let a = slab_alloc(vma_cache);
  if (a == 0) {
    pmm_unreserve(pages);
    return false;
  }
  let v = vma(a);
  v.start = start;
  v.end = end;
  v.flags = flags;
  v.kind = kind;
  v.node = node;
  v.file_off = off;
  let irq = irq_save();
  let link = changetype<u64>(space) + offsetof<AddressSpace>("vmas"); // the word pointing at the next VMA
  while (load<u64>(link) != 0 && vma(load<u64>(link)).end <= start) link = load<u64>(link) + offsetof<Vma>("next");
  let after = load<u64>(link);
  let ok = after == 0 || vma(after).start >= end;
  if (ok) {
    v.next = after;
    store<u64>(link, a);
  }
  irq_restore(irq);
  if (!ok) {
    slab_free(a);
    pmm_unreserve(pages);
  }
  return ok;
}

/** Pages of [start, end) in space not mapped yet: frames still promised, not taken. */
export function vm_untouched(space: AddressSpace, start: u64, end: u64): u64 {
  let n: u64 = 0;
  for (let va = start; va < end; va += PAGE_SIZE) if ((vmm_pte(space, va) & PTE_P) == 0) n++;
  return n;
}

/**
 * Removes [start, end) from the anonymous VMA that holds all of it (splitting it when the range is
 * inside), or a whole file mapping; returns the kind removed, or 0 (nothing changed) if no
 * single such VMA holds the range. The caller then releases each page of the range (no fault can
 * map one any more): a touched page is unmapped (mm/usercopy.ts user_unmap_page; a shared file
 * page is not owned, so its frame stays the file's), an untouched one of a kind that reserves
 * gives its promise back (pmm_unreserve); then a file's mapping count (fs_unmapped).
 */
export function vma_remove(space: AddressSpace, start: u64, end: u64): u32 {
  let tail = slab_alloc(vma_cache); // taken first: a split needs it, and nothing may fail halfway
  if (tail == 0) return 0;
  let irq = irq_save();
  let link = changetype<u64>(space) + offsetof<AddressSpace>("vmas");
  while (load<u64>(link) != 0 && vma(load<u64>(link)).end <= start) link = load<u64>(link) + offsetof<Vma>("next");
  let a = load<u64>(link);
  let ok = a != 0 && vma(a).kind != VMA_GUARD && vma(a).start <= start && end <= vma(a).end && start < end;
  // A file mapping goes whole (its node is counted off by the caller: removed_node).
  if (ok && vma(a).kind != VMA_ANON) ok = vma(a).start == start && vma(a).end == end;
  let kind: u32 = ok ? vma(a).kind : 0;
  removed = ok ? vma(a).node : 0;
  let spare = tail;
  if (ok) {
    let v = vma(a);
    if (v.start == start && v.end == end) { // the whole VMA
      store<u64>(link, v.next);
      slab_free(a);
    } else if (v.start == start) {
      v.start = end;
    } else if (v.end == end) {
      v.end = start;
    } else { // the middle: v keeps the front, tail gets the back
      let t = vma(tail);
      t.start = end;
      t.end = v.end;
      t.flags = v.flags;
      t.kind = v.kind; // anonymous: file mappings are not split
      t.node = 0;
      t.file_off = 0;
      t.next = v.next;
      v.end = start;
      v.next = tail;
      spare = 0;
    }
  }
  irq_restore(irq);
  if (spare != 0) slab_free(spare);
  return kind;
}

let removed: u64 = 0;

/**
 * Takes the first shared mapping of file `node` out of space's list, interrupts off (a revoked
 * shared-memory object leaves other address spaces: syscall/shm_syscalls.ts); 0 when there is
 * none. Its pages are still mapped: the caller unmaps [vma_start, vma_end) (no fault can map one
 * any more), counts the mapping off (fs_unmapped) and frees the record (vma_free_record).
 */
export function vma_take_shared(space: AddressSpace, node: u64): u64 {
  let link = changetype<u64>(space) + offsetof<AddressSpace>("vmas");
  while (load<u64>(link) != 0) {
    let a = load<u64>(link);
    if (vma(a).kind == VMA_FILE_SHARED && vma(a).node == node) {
      store<u64>(link, vma(a).next);
      return a;
    }
    link = a + offsetof<Vma>("next");
  }
  return 0;
}

export function vma_start(a: u64): u64 {
  return vma(a).start;
}

export function vma_end(a: u64): u64 {
  return vma(a).end;
}

export function vma_free_record(a: u64): void {
  slab_free(a);
}

/** The file node of the mapping the last vma_remove took away (0 for anonymous memory). */
export function vma_removed_node(): u64 {
  return removed;
}

/**
 * Frees every VMA of space (it is being destroyed; its pages go with the tables, the promises of
 * pages never touched back to the PMM). Call before vmm_destroy_address_space.
 */
export function vma_free_all(space: AddressSpace): void {
  while (space.vmas != 0) {
    let a = space.vmas;
    space.vmas = vma(a).next;
    if (reserves(vma(a).kind)) pmm_unreserve(vm_untouched(space, vma(a).start, vma(a).end));
    if (vma(a).node != 0) fs_unmapped(vma(a).node); // shared pages are not owned: the tables leave them
    slab_free(a);
  }
}

/**
 * Decides a fault at va in space by a `write` or an instruction fetch (`exec`), interrupts off:
 * maps a zero-filled frame for an allowed first touch of anonymous memory (VM_OK), else says why
 * the access is an error.
 */
export function vm_fault(space: AddressSpace, va: u64, write: bool, exec: bool): i32 {
  let page = page_round_down(va);
  let e = vmm_pte(space, page);
  if (write && (e & PTE_COW) != 0) return cow_break(space, page, e);
  let a = vma_find(space, va);
  if (a == 0) return (vmm_pte(space, page) & PTE_P) != 0 ? VM_PROTECTION : VM_UNMAPPED;
  let v = vma(a);
  if (v.kind == VMA_GUARD) return VM_GUARD;
  if (write && (v.flags & PTE_W) == 0) return VM_READ_ONLY;
  if (exec && (v.flags & PTE_NX) != 0) return VM_NO_EXEC;
  if ((vmm_pte(space, page) & PTE_P) != 0) return VM_PROTECTION; // present, yet the CPU refused
  let off = v.file_off + (page - v.start);
  if (v.kind == VMA_FILE_SHARED) { // the file's own frame (made if it is a hole or past the end)
    let fpa = fs_page(v.node, off / PAGE_SIZE, true);
    if (fpa == 0 || !vmm_map_demand(space, page, fpa, v.flags)) return VM_NO_MEMORY;
    faults_handled++;
    return VM_OK;
  }
  let pa = pmm_alloc_reserved_zeroed(); // the VMA's promise (vma_add)
  if (pa == 0) return VM_NO_MEMORY; // only when table pages ate the promised frames
  if (v.kind == VMA_FILE_PRIVATE) copy_file_page(v.node, off, p2v(pa));
  if (!vmm_map_demand(space, page, pa, v.flags | PTE_OWNED)) {
    pmm_free_reserved(pa);
    return VM_NO_MEMORY;
  }
  faults_handled++;
  return VM_OK;
}

/**
 * A write to a copy-on-write page (after a fork): the last user of the frame takes it back
 * writable; otherwise the page is copied into a new frame and this space drops its reference.
 */
function cow_break(space: AddressSpace, page: u64, e: u64): i32 {
  let old = e & PTE_ADDR;
  let flags = (e & ~PTE_ADDR & ~PTE_COW) | PTE_W;
  if (!pmm_is_shared(old)) {
    vmm_replace(space, page, old | flags);
  } else {
    let pa = pmm_alloc();
    if (pa == 0) return VM_NO_MEMORY;
    memcpy(p2v(pa), p2v(old), PAGE_SIZE);
    vmm_replace(space, page, pa | flags);
    pmm_free(old); // one user less
  }
  cow_breaks++;
  return VM_OK;
}

let cow_breaks: u64 = 0;

/** Copy-on-write faults resolved since boot. */
export function vm_cow_breaks(): u64 {
  return cow_breaks;
}

/**
 * For a fork: copies from's VMAs into to (an empty space): anonymous and private ones reserve
 * their untouched pages again for the child, file mappings count one more mapping. False (with
 * to's VMAs as far as they got, for vma_free_all) when memory is short.
 */
export function vma_clone(from: AddressSpace, to: AddressSpace): bool {
  for (let a = from.vmas; a != 0; a = vma(a).next) {
    let v = vma(a);
    if (v.node != 0 && !fs_mapped(v.node, v.kind == VMA_FILE_SHARED)) return false;
    // vma_add_file reserves all pages for a reserving kind; only the untouched ones need it
    // (touched ones are shared copy-on-write, or owned already).
    if (!vma_add_file(to, v.start, v.end, v.flags, v.kind, v.node, v.file_off)) {
      if (v.node != 0) fs_unmapped(v.node);
      return false;
    }
    if (reserves(v.kind)) pmm_unreserve((v.end - v.start) / PAGE_SIZE - vm_untouched(from, v.start, v.end)); // the touched ones
  }
  return true;
}

/** Copies the file's page at `off` (what exists of it) to the zeroed page at dst. */
function copy_file_page(n: u64, off: u64, dst: u64): void {
  let size = fs_size(n);
  if (off >= size) return;
  let len = size - off < PAGE_SIZE ? size - off : PAGE_SIZE;
  let src = fs_span(n, off, len, false, addr_of(span));
  if (src != 0) memcpy(dst, src, span); // 0: a hole, zeros already
}

let span: u64 = 0;

/**
 * For the kernel acting on a user range: makes the page at va present if a VMA allows the access
 * (as a fault would). True when the page is present and user-accessible afterwards.
 */
export function vm_populate(space: AddressSpace, va: u64, write: bool): bool {
  let irq = irq_save();
  let e = vmm_pte(space, page_round_down(va));
  let ok = ((e & PTE_P) != 0 && !(write && (e & PTE_COW) != 0)) || vm_fault(space, va, write, false) == VM_OK;
  irq_restore(irq);
  return ok;
}

/** Page faults resolved by demand paging since boot. */
export function vm_faults_handled(): u64 {
  return faults_handled;
}

/** Number of VMAs of space (tests). */
export function vma_count(space: AddressSpace): u64 {
  let n: u64 = 0;
  for (let a = space.vmas; a != 0; a = vma(a).next) n++;
  return n;
}

/** Flags for a user mapping from mmap's protection bits: PTE_U always, W and NX as asked. */
export function vma_flags(writable: bool, executable: bool): u64 {
  return PTE_U | (writable ? PTE_W : 0) | (executable ? 0 : PTE_NX);
}
