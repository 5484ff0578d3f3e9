// Device registers and firmware tables above RAM, reached through the direct map like RAM: the
// direct map built by vmm_init covers RAM only, so mmio_map adds 4 KiB pages (uncached, no
// execute, global) at p2v(pa) for whatever part of a range is not mapped yet. Boot CPU, at boot.

import { p2v, PAGE_SIZE, page_round_down } from "../../mm/layout";
import { vmm_kernel_space, vmm_map, vmm_translate, VMM_NOT_MAPPED } from "../../mm/vmm";
import { PTE_W, PTE_G, PTE_NX } from "./mmu";
import { panic } from "../../lib/panic";

const PTE_PWT: u64 = 0x8;
const PTE_PCD: u64 = 0x10;

/** Makes physical [pa, pa + len) readable and writable at p2v(pa); returns p2v(pa). */
export function mmio_map(pa: u64, len: u64): usize {
  let space = vmm_kernel_space();
  for (let page = page_round_down(pa); page < pa + len; page += PAGE_SIZE) {
    if (vmm_translate(space, p2v(page)) != VMM_NOT_MAPPED) continue;
    if (!vmm_map(space, p2v(page), page, PTE_W | PTE_G | PTE_NX | PTE_PCD | PTE_PWT)) panic(`mmio: cannot map ${hex(page)}`);
  }
  return p2v(pa);
}
