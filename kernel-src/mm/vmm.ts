// Virtual memory manager: 4-level page tables (entry bits and the MMU registers: arch/hal.ts).
//
// The kernel address space maps all RAM at DIRECT_MAP_BASE (2 MiB pages, RW, NX) and the kernel
// image at KERNEL_BASE + physical with 4 KiB pages: text R+X, rodata and .ksymtab R, data and
// bss RW+NX; kernel mappings are global (CR4.PGE), so switching CR3 keeps them in the TLB.
// Every other address space shares the kernel half by copying PML4 entries 256..511, which point at
// the same lower-level tables: kernel mappings added later (the heap) appear everywhere. Those
// entries lack the U bit, so the kernel half is supervisor-only. User-half tables are private and
// carry U; leaf permissions decide the rest. A leaf with PTE_OWNED owns its frame: unmapping it or
// destroying the space frees the frame. vmm_destroy frees every user-half table page and the PML4.
// Table pages come from, and go back to, the cache of zeroed table frames (mm/ptcache.ts).

import { pmm_alloc_zeroed, pmm_free, pmm_memory_end, pmm_share, pmm_add_reclaim } from "./pmm";
import { pt_alloc, pt_free, pt_cache_shrink } from "./ptcache";
import {
  p2v, PAGE_SIZE, DIRECT_MAP_BASE, USER_TOP, kernel_v2p, kernel_image_start, kernel_image_end,
  text_start, text_end, data_start, data_end, bss_start, bss_end,
} from "./layout";
import { log_info } from "../lib/log";
import { panic } from "../lib/panic";
import {
  irq_save, irq_restore, PTE_P, PTE_W, PTE_PS, PTE_G, PTE_OWNED, PTE_COW, PTE_NX, PTE_ADDR, PTE_U,
  mmu_root, mmu_switch, mmu_flush_page, mmu_flush_page_all_cpus, mmu_flush_pages_all_cpus, mmu_flush_page_space, TLB_ALL, mmu_enable_global_pages,
} from "../arch/hal";

export { PTE_P, PTE_W, PTE_U, PTE_PS, PTE_G, PTE_OWNED, PTE_COW, PTE_NX, PTE_ADDR };
export const VMM_NOT_MAPPED: u64 = 0xffffffffffffffff;
const LARGE_PAGE: u64 = 0x200000;
const ENTRIES: u64 = 512;

export class AddressSpace {
  pml4: u64 = 0; // physical address of the root table
  asid: u64 = 0;
  vmas: u64 = 0; // the user half's VMAs, sorted (mm/vma.ts); freed by vma_free_all before destroy
}

let kernel_as!: Inline<AddressSpace>;
let next_asid: u64 = 1;
let table_pages: u64 = 0; // page-table pages in use, all address spaces
let spaces_alive: u64 = 0;

function entry_addr(table: u64, va: u64, level: u64): usize {
  return p2v(table) + ((va >> (12 + 9 * level)) & (ENTRIES - 1)) * 8;
}

let tables_from_reserve: bool = false; // vmm_map_demand: tables may use promised frames

/** The table below the entry at `ea`, created when absent and `create` is set; 0 if none. */
function next_table(ea: usize, create: bool, user: bool): u64 {
  let e = load<u64>(ea);
  if ((e & PTE_P) == 0) {
    if (!create) return 0;
    let t = pt_alloc(tables_from_reserve);
    if (t == 0) return 0;
    store<u64>(ea, t | PTE_P | PTE_W | (user ? PTE_U : 0));
    table_pages++;
    return t;
  }
  if ((e & PTE_PS) != 0) return 0; // a large page has no table below it
  return e & PTE_ADDR;
}

/** Address of the level-`stop` entry for va (stop = 0: the 4 KiB PTE), or 0. */
function walk(pml4: u64, va: u64, stop: u64, create: bool): usize {
  let user = va < USER_TOP;
  let table = pml4;
  for (let level: u64 = 3; level > stop; level--) {
    table = next_table(entry_addr(table, va, level), create, user);
    if (table == 0) return 0;
  }
  return entry_addr(table, va, stop);
}

function is_current(space: AddressSpace): bool {
  return mmu_root() == space.pml4;
}

export function vmm_kernel_space(): AddressSpace {
  return kernel_as;
}

/** Maps one 4 KiB page. False if out of memory or va is already mapped. */
export function vmm_map(space: AddressSpace, va: u64, pa: u64, flags: u64): bool {
  let irq = irq_save(); // mmap runs with interrupts on: one mapping is one critical section
  let pte = walk(space.pml4, va, 0, true);
  let ok = pte != 0 && (load<u64>(pte) & PTE_P) == 0;
  if (ok) store<u64>(pte, (pa & PTE_ADDR) | flags | PTE_P);
  irq_restore(irq);
  return ok;
}

/** Creates the kernel page tables down to the one that would map va (nothing mapped); false when out of memory. */
export function vmm_prepare_kernel_tables(va: u64): bool {
  let irq = irq_save();
  let ok = walk(kernel_as.pml4, va, 0, true) != 0;
  irq_restore(irq);
  return ok;
}

/**
 * vmm_map for a demand-paged page (mm/vma.ts): a table page it needs may come from frames
 * promised to demand-paged memory (pmm_alloc_table_zeroed).
 */
export function vmm_map_demand(space: AddressSpace, va: u64, pa: u64, flags: u64): bool {
  let irq = irq_save();
  tables_from_reserve = true;
  let ok = vmm_map(space, va, pa, flags);
  tables_from_reserve = false;
  irq_restore(irq);
  return ok;
}

/** Removes a 4 KiB mapping (freeing an owned frame). False if va was not mapped. */
export function vmm_unmap(space: AddressSpace, va: u64): bool {
  let irq = irq_save(); // as in vmm_map: the entry, the TLB and the frame change together
  let pte = walk(space.pml4, va, 0, false);
  let e = pte != 0 ? load<u64>(pte) : 0;
  if ((e & PTE_P) != 0) {
    store<u64>(pte, 0);
    if (va >= USER_TOP) mmu_flush_page_all_cpus(va); // kernel mappings are on every CPU
    else mmu_flush_page_space(space.pml4, va); // every CPU running this space
    if ((e & PTE_OWNED) != 0) pmm_free(e & PTE_ADDR);
  }
  irq_restore(irq);
  return (e & PTE_P) != 0;
}

/**
 * Removes the kernel's 4 KiB mappings from va to va + bytes (freeing owned frames) with one TLB
 * shootdown for all of them (a heap trim, a freed kernel stack). The frames are freed before the
 * other CPUs have dropped their entries, but under the kernel lock, which nobody can take to
 * allocate them until the shootdown is done; nothing uses these addresses meanwhile.
 */
export function vmm_unmap_kernel_range(va: u64, bytes: u64): void {
  if (bytes == 0) return;
  let irq = irq_save();
  for (let a = va; a < va + bytes; a += PAGE_SIZE) {
    let pte = walk(kernel_as.pml4, a, 0, false);
    let e = pte != 0 ? load<u64>(pte) : 0;
    if ((e & PTE_P) == 0) continue;
    store<u64>(pte, 0);
    if ((e & PTE_OWNED) != 0) pmm_free(e & PTE_ADDR);
  }
  mmu_flush_pages_all_cpus(va, bytes / PAGE_SIZE);
  irq_restore(irq);
}

/**
 * Replaces the present 4 KiB leaf for va with `e` (a copy-on-write break: new frame or new
 * permissions), dropping the old TLB entry. False if va has no present leaf.
 */
export function vmm_replace(space: AddressSpace, va: u64, e: u64): bool {
  let irq = irq_save();
  let pte = walk(space.pml4, va, 0, false);
  let ok = pte != 0 && (load<u64>(pte) & PTE_P) != 0;
  if (ok) {
    store<u64>(pte, e);
    mmu_flush_page_space(space.pml4, va);
  }
  irq_restore(irq);
  return ok;
}

/**
 * For a fork: maps every user page of `from` into `to` at the same address. A private (owned)
 * writable page becomes read-only and copy-on-write in both (PTE_COW), its frame shared
 * (pmm_share); a read-only private page is shared as it is; a page not owned (a shared file
 * page) is mapped the same in both. False when out of memory (then `to` holds what was done, and
 * destroying it gives back exactly that). The caller drops cached user checks (the permissions
 * of `from` shrank) and flushes `from`'s TLB if it is the active space.
 */
export function vmm_clone_user(from: AddressSpace, to: AddressSpace): bool {
  let root = p2v(from.pml4);
  for (let i: u64 = 0; i < 256; i++) {
    let e3 = load<u64>(root, i * 8);
    if ((e3 & PTE_P) == 0) continue;
    for (let j: u64 = 0; j < ENTRIES; j++) {
      let e2 = load<u64>(p2v(e3 & PTE_ADDR), j * 8);
      if ((e2 & PTE_P) == 0 || (e2 & PTE_PS) != 0) continue;
      for (let k: u64 = 0; k < ENTRIES; k++) {
        let e1 = load<u64>(p2v(e2 & PTE_ADDR), k * 8);
        if ((e1 & PTE_P) == 0 || (e1 & PTE_PS) != 0) continue;
        let pt = p2v(e1 & PTE_ADDR);
        for (let l: u64 = 0; l < ENTRIES; l++) {
          let e = load<u64>(pt, l * 8);
          if ((e & PTE_P) == 0) continue;
          let va = (i << 39) | (j << 30) | (k << 21) | (l << 12);
          if ((e & PTE_OWNED) != 0) {
            if (!pmm_share(e & PTE_ADDR)) return false;
            if ((e & PTE_W) != 0) {
              e = (e & ~PTE_W) | PTE_COW;
              store<u64>(pt, e, l * 8);
            }
          }
          if (!vmm_map(to, va, e & PTE_ADDR, e & ~PTE_ADDR & ~PTE_P)) {
            if ((e & PTE_OWNED) != 0) pmm_free(e & PTE_ADDR); // the reference just taken
            return false;
          }
        }
      }
    }
  }
  mmu_flush_page_space(from.pml4, TLB_ALL); // drop the writable TLB entries, on every CPU running it
  return true;
}

/** The leaf entry mapping va (a 4 KiB PTE or a large-page entry), or 0. */
function leaf_entry(pml4: u64, va: u64): u64 {
  let table = pml4;
  for (let level: u64 = 3; level > 0; level--) {
    let e = load<u64>(entry_addr(table, va, level));
    if ((e & PTE_P) == 0) return 0;
    if ((e & PTE_PS) != 0) return e;
    table = e & PTE_ADDR;
  }
  return load<u64>(entry_addr(table, va, 0));
}

/** The 4 KiB leaf entry for va (flags and frame), 0 when unmapped. Used to check user pointers. */
export function vmm_pte(space: AddressSpace, va: u64): u64 {
  let e = leaf_entry(space.pml4, va);
  return (e & PTE_P) != 0 ? e : 0;
}

/** Physical address for va, or VMM_NOT_MAPPED. */
export function vmm_translate(space: AddressSpace, va: u64): u64 {
  let table = space.pml4;
  for (let level: u64 = 3; level > 0; level--) {
    let e = load<u64>(entry_addr(table, va, level));
    if ((e & PTE_P) == 0) return VMM_NOT_MAPPED;
    if ((e & PTE_PS) != 0) {
      let size = u64(1) << (12 + 9 * level);
      return (e & PTE_ADDR & ~(size - 1)) + (va & (size - 1));
    }
    table = e & PTE_ADDR;
  }
  let e = load<u64>(entry_addr(table, va, 0));
  if ((e & PTE_P) == 0) return VMM_NOT_MAPPED;
  return (e & PTE_ADDR) + (va & (PAGE_SIZE - 1));
}

/** True when va is mapped in the active page tables (safe probing for backtraces). */
export function vmm_is_mapped(va: u64): bool {
  return (leaf_entry(mmu_root(), va) & PTE_P) != 0;
}

export function vmm_create_address_space(): AddressSpace | null {
  let pml4 = pt_alloc(false);
  if (pml4 == 0) return null;
  let space = new AddressSpace();
  space.pml4 = pml4;
  space.asid = next_asid++;
  // Share the kernel half: same lower-level tables, so later kernel mappings show up here too.
  memcpy(p2v(pml4) + 256 * 8, p2v(kernel_as.pml4) + 256 * 8, 256 * 8);
  table_pages++;
  spaces_alive++;
  return space;
}

function free_table(pa: u64, level: u64): void {
  let t = p2v(pa);
  for (let i: u64 = 0; i < ENTRIES; i++) {
    let e = load<u64>(t, i * 8);
    if ((e & PTE_P) == 0) continue;
    if (level > 0 && (e & PTE_PS) == 0) free_table(e & PTE_ADDR, level - 1);
    else if (level == 0 && (e & PTE_OWNED) != 0) pmm_free(e & PTE_ADDR);
  }
  pt_free(pa);
  table_pages--;
}

/** Frees the user half (owned frames and every table page) and the PML4. */
export function vmm_destroy_address_space(space: AddressSpace): void {
  if (is_current(space)) mmu_switch(kernel_as.pml4);
  let root = p2v(space.pml4);
  for (let i: u64 = 0; i < 256; i++) {
    let e = load<u64>(root, i * 8);
    if ((e & PTE_P) != 0) free_table(e & PTE_ADDR, 2);
  }
  pt_free(space.pml4);
  table_pages--;
  spaces_alive--;
  destroy(space);
}

/** The PMM's reclaim hook for the page-table cache (mm/ptcache.ts). */
function pt_reclaim(): void {
  pt_cache_shrink();
}

export function vmm_switch_address_space(space: AddressSpace): void {
  if (!is_current(space)) mmu_switch(space.pml4);
}

export function vmm_table_pages(): u64 {
  return table_pages;
}

export function vmm_spaces_alive(): u64 {
  return spaces_alive;
}

function map_kernel_page(va: u64): void {
  let flags = PTE_G;
  if (va >= text_start() && va < text_end()) flags |= 0; // read + execute
  else if ((va >= data_start() && va < data_end()) || (va >= bss_start() && va < bss_end())) flags |= PTE_W | PTE_NX;
  else flags |= PTE_NX; // rodata, .ksymtab: read only
  if (!vmm_map(kernel_as, va, kernel_v2p(va), flags)) panic(`vmm: cannot map kernel page ${hex(va)}`);
}

export function vmm_init(): void {
  log_info(`Initializing Virtual Memory Manager...`);
  let pml4 = pmm_alloc_zeroed();
  if (pml4 == 0) panic(`vmm: no memory for the kernel PML4`);
  kernel_as.pml4 = pml4;
  kernel_as.asid = 0;
  table_pages = 1;

  let end = (pmm_memory_end() + LARGE_PAGE - 1) & ~(LARGE_PAGE - 1);
  for (let pa: u64 = 0; pa < end; pa += LARGE_PAGE) {
    let pde = walk(pml4, DIRECT_MAP_BASE + pa, 1, true);
    if (pde == 0) panic(`vmm: no memory for the direct map`);
    store<u64>(pde, pa | PTE_P | PTE_W | PTE_PS | PTE_G | PTE_NX);
  }
  for (let va = kernel_image_start(); va < kernel_image_end(); va += PAGE_SIZE) map_kernel_page(va);

  mmu_enable_global_pages();
  mmu_switch(pml4);
  pmm_add_reclaim(pt_reclaim);
  log_info(`VMM initialized with kernel page tables at ${hex(pml4)}`);
}
