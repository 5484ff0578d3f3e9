// The x86-64 MMU as the HAL presents it: page-table entry bits, the root register (CR3), one-page
// TLB invalidation (invlpg) and global pages (CR4.PGE). mm/vmm.ts builds the 4-level tables
// with these bits and never touches a control register itself.

export const PTE_P: u64 = 0x1;
export const PTE_W: u64 = 0x2;
export const PTE_U: u64 = 0x4;
export const PTE_PS: u64 = 0x80;
export const PTE_G: u64 = 0x100;
/** Software bit (AVL): the leaf's frame belongs to this mapping and is freed with it. */
export const PTE_OWNED: u64 = 0x200;
/** Software bit (AVL): a private page shared read-only after a fork; the first write copies it. */
export const PTE_COW: u64 = 0x400;
export const PTE_NX: u64 = 0x8000000000000000;
export const PTE_ADDR: u64 = 0x000ffffffffff000;

const CR4_PGE: u64 = 0x80;

/** Physical address of the active root table (CR3 without its flag bits). */
export function mmu_root(): u64 {
  return read_cr3() & PTE_ADDR;
}

/** Makes `root` (a root table's physical address) the active address space; flushes non-global TLB entries. */
export function mmu_switch(root: u64): void {
  write_cr3(root);
}

/** Drops the TLB entry for one page of the active address space (or a global one). */
export function mmu_flush_page(va: u64): void {
  invlpg(va);
}

/** Drops every TLB entry, global ones included (CR4.PGE off and on again). */
export function mmu_flush_all(): void {
  let cr4 = read_cr4();
  write_cr4(cr4 & ~CR4_PGE);
  write_cr4(cr4);
}

/** Lets PTE_G mappings survive mmu_switch (set once, before the first switch). */
export function mmu_enable_global_pages(): void {
  write_cr4(read_cr4() | CR4_PGE);
}
