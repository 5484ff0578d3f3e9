// The kernel's virtual memory layout (the seed's "Memory Layout") and physical/virtual conversions.
//
//   0x0000000000000000 - 0x00007FFFFFFFFFFF  user space
//   0xFFFF800000000000 - ...                 direct map of all physical memory
//   0xFFFFFFFF80000000 - 0xFFFFFFFFBFFFFFFF  kernel image (virtual = KERNEL_BASE + physical)
//   0xFFFFFFFFC0000000 - 0xFFFFFFFFCFFFFFFF  kernel heap (256 MiB max)

export const PAGE_SIZE: u64 = 4096;
export const PAGE_MASK: u64 = 0xfff;
export const DIRECT_MAP_BASE: u64 = 0xffff800000000000;
export const KERNEL_BASE: u64 = 0xffffffff80000000;
export const HEAP_BASE: u64 = 0xffffffffc0000000;
/** Kernel stacks with guard pages (mm/kstack.ts): 4096 slots of 68 KiB from here. */
export const KSTACK_BASE: u64 = 0xffffff8000000000;
export const HEAP_INITIAL_SIZE: u64 = 16 * 1024 * 1024;
export const HEAP_MAX_SIZE: u64 = 256 * 1024 * 1024;
/** First address above user space (the canonical lower half). */
export const USER_TOP: u64 = 0x0000800000000000;

/** The direct-map address of physical address `pa`. */
export function p2v(pa: u64): usize {
  return pa + DIRECT_MAP_BASE;
}

/** The physical address behind a direct-map address. */
export function v2p(va: usize): u64 {
  return va - DIRECT_MAP_BASE;
}

/** The physical address of something inside the kernel image. */
export function kernel_v2p(va: usize): u64 {
  return va - KERNEL_BASE;
}

export function page_round_up(x: u64): u64 {
  return (x + PAGE_MASK) & ~PAGE_MASK;
}

export function page_round_down(x: u64): u64 {
  return x & ~PAGE_MASK;
}

// Section bounds from the linker (virtual addresses in the higher half; the symbols the linker
// also defines for physical addresses are out of RIP-relative reach from the higher half).
declare const __text_start: u8;
declare const __text_end: u8;
declare const __rodata_start: u8;
declare const __rodata_end: u8;
declare const __data_start: u8;
declare const __data_end: u8;
declare const __bss_start: u8;
declare const __bss_end: u8;
declare const __ksymtab_start: u8;
declare const __ksymtab_end: u8;

export function text_start(): usize { return addr_of(__text_start); }
export function text_end(): usize { return addr_of(__text_end); }
export function rodata_start(): usize { return addr_of(__rodata_start); }
export function rodata_end(): usize { return addr_of(__rodata_end); }
export function data_start(): usize { return addr_of(__data_start); }
export function data_end(): usize { return addr_of(__data_end); }
export function bss_start(): usize { return addr_of(__bss_start); }
export function bss_end(): usize { return addr_of(__bss_end); }
export function ksymtab_start(): usize { return addr_of(__ksymtab_start); }
export function ksymtab_end(): usize { return addr_of(__ksymtab_end); }

/** Lowest virtual address of the higher-half image (text comes first). */
export function kernel_image_start(): usize {
  return page_round_down(text_start());
}

/** One past the highest byte of the higher-half image, whatever the section order. */
export function kernel_image_end(): usize {
  let end = text_end();
  if (rodata_end() > end) end = rodata_end();
  if (data_end() > end) end = data_end();
  if (bss_end() > end) end = bss_end();
  if (ksymtab_end() > end) end = ksymtab_end();
  return page_round_up(end);
}

export function kernel_image_end_phys(): u64 {
  return kernel_v2p(kernel_image_end());
}
