// ELF64 loader for user programs: maps each PT_LOAD segment of an executable image into an
// address space, with user pages writable only if the segment is, and executable only if it is.
//
// The image is untrusted input: every header field is range-checked against the image size and
// the user half before use. Pages are fresh zeroed frames owned by the mapping (bss comes free);
// on failure the caller destroys the address space, which frees whatever was mapped.

import { AddressSpace, vmm_map, vmm_translate, VMM_NOT_MAPPED, PTE_U, PTE_W, PTE_NX, PTE_OWNED } from "../mm/vmm";
import { pmm_alloc_zeroed } from "../mm/pmm";
import { p2v, PAGE_SIZE, USER_TOP, page_round_down } from "../mm/layout";

const ELF_MAGIC: u32 = 0x464c457f; // "\x7fELF"
const ELFCLASS64: u8 = 2;
const ELFDATA2LSB: u8 = 1;
const ET_EXEC: u16 = 2;
const EM_X86_64: u16 = 0x3e;
const PT_LOAD: u32 = 1;
const PF_X: u32 = 1;
const PF_W: u32 = 2;
const PHDR_SIZE: u64 = 56;
const USER_MIN: u64 = 0x10000; // nothing is mapped at low addresses: null dereferences fault
const MAX_SEGMENT: u64 = 64 * 1024 * 1024;

function load_segment(space: AddressSpace, image: u64, size: u64, ph: u64): bool {
  let flags = load<u32>(ph, 4);
  let offset = load<u64>(ph, 8);
  let vaddr = load<u64>(ph, 16);
  let filesz = load<u64>(ph, 32);
  let memsz = load<u64>(ph, 40);
  if (filesz > memsz || memsz > MAX_SEGMENT) return false;
  if (filesz > 0 && (offset > size || filesz > size - offset)) return false; // a bss-only segment may point past the end
  if (vaddr < USER_MIN || vaddr >= USER_TOP || memsz > USER_TOP - vaddr) return false;
  if ((flags & PF_W) != 0 && (flags & PF_X) != 0) return false; // W^X (docs/isolation.md)
  let pte = PTE_U | PTE_OWNED;
  if ((flags & PF_W) != 0) pte |= PTE_W;
  if ((flags & PF_X) == 0) pte |= PTE_NX;
  let end = vaddr + memsz;
  for (let page = page_round_down(vaddr); page < end; page += PAGE_SIZE) {
    let pa = vmm_translate(space, page);
    if (pa == VMM_NOT_MAPPED) {
      pa = pmm_alloc_zeroed();
      if (pa == 0 || !vmm_map(space, page, pa, pte)) return false;
    }
    // The part of the file image that lands in this page.
    let lo = page > vaddr ? page : vaddr;
    let hi = page + PAGE_SIZE < vaddr + filesz ? page + PAGE_SIZE : vaddr + filesz;
    if (lo < hi) memcpy(p2v(pa) + (lo - page), image + offset + (lo - vaddr), hi - lo);
  }
  return true;
}

/** Loads the executable at [image, image+size) into space; returns its entry point, or 0. */
export function elf_load(space: AddressSpace, image: u64, size: u64): u64 {
  if (size < 64 || load<u32>(image) != ELF_MAGIC) return 0;
  if (load<u8>(image, 4) != ELFCLASS64 || load<u8>(image, 5) != ELFDATA2LSB) return 0;
  if (load<u16>(image, 16) != ET_EXEC || load<u16>(image, 18) != EM_X86_64) return 0;
  let entry = load<u64>(image, 24);
  let phoff = load<u64>(image, 32);
  let phentsize = u64(load<u16>(image, 54));
  let phnum = u64(load<u16>(image, 56));
  if (phentsize != PHDR_SIZE || phoff > size || phnum * PHDR_SIZE > size - phoff) return 0;
  let loaded = false;
  for (let i: u64 = 0; i < phnum; i++) {
    let ph = image + phoff + i * PHDR_SIZE;
    if (load<u32>(ph) != PT_LOAD) continue;
    if (!load_segment(space, image, size, ph)) return 0;
    loaded = true;
  }
  if (!loaded || vmm_translate(space, entry) == VMM_NOT_MAPPED) return 0;
  return entry;
}
