// Supervisor-mode protections, on when the CPU has them (QEMU's `-cpu max` has both; its default
// qemu64 has neither): SMEP (CR4 bit 20) faults the kernel on executing a user page; SMAP
// (CR4 bit 21) faults it on touching one, except between user_access_begin and user_access_end,
// which mm/usercopy.ts puts around every copy from or to user memory (the kernel's one way to
// touch it). A stray kernel access to a user address is then a kernel fault with a report, not a
// quiet read of whatever the process put there. The direct map and the heap are NX (mm/vmm.ts).

declare function cpu_stac(): void;
declare function cpu_clac(): void;

const CPUID_EXT_FEATURES: u32 = 7;
const EBX_SMEP: u32 = 1 << 7;
const EBX_SMAP: u32 = 1 << 20;
const CR4_SMEP: u64 = 1 << 20;
const CR4_SMAP: u64 = 1 << 21;

let smep_on: bool = false;
let smap_on: bool = false;
let regs!: InlineArray<u32, 4>; // eax ebx ecx edx

export function protect_init(): void {
  cpuid(0, 0, addr_of(regs));
  if (regs[0] < CPUID_EXT_FEATURES) return;
  cpuid(CPUID_EXT_FEATURES, 0, addr_of(regs));
  let ebx = regs[1];
  let cr4 = read_cr4();
  if ((ebx & EBX_SMEP) != 0) cr4 |= CR4_SMEP;
  if ((ebx & EBX_SMAP) != 0) cr4 |= CR4_SMAP;
  write_cr4(cr4);
  smep_on = (ebx & EBX_SMEP) != 0;
  smap_on = (ebx & EBX_SMAP) != 0;
}

/** Opens the window for touching user memory (SMAP); interrupts must be off until the end. */
export function user_access_begin(): void {
  if (smap_on) cpu_stac();
}

export function user_access_end(): void {
  if (smap_on) cpu_clac();
}

/** Which protections are on, as bits: 1 = SMEP, 2 = SMAP (for the self-test and the boot log). */
export function cpu_protections(): u64 {
  return (smep_on ? 1 : 0) | (smap_on ? 2 : 0);
}

/** What CR4 says, in the same bits (the self-test compares the two). */
export function cpu_protections_in_cr4(): u64 {
  let cr4 = read_cr4();
  return ((cr4 & CR4_SMEP) != 0 ? 1 : 0) | ((cr4 & CR4_SMAP) != 0 ? 2 : 0);
}
