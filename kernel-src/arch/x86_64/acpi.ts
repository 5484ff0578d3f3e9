// ACPI, as far as interrupts and CPUs need it: find the RSDP (BIOS areas below 1 MiB), follow
// the XSDT (or RSDT) to the MADT ("APIC") and read from it the local APIC address, every enabled
// processor's APIC id, the I/O APICs and the ISA interrupt source overrides (which GSI, polarity
// and trigger an ISA IRQ really uses; on QEMU the PIT's IRQ0 arrives on GSI 2).
// Tables are read through the direct map (mmio_map makes a page reachable when it lies above RAM).
// Nothing here is written after acpi_init, which runs once on the boot CPU.

import { p2v } from "../../mm/layout";
import { mmio_map } from "./mmio";
import { log_info } from "../../lib/log";

/** How many enabled CPUs the MADT parse records (smp.ts starts at most MAX_CPUS of them). */
export const MADT_MAX_CPUS: u64 = 16;
const MAX_IOAPICS: u64 = 4;
const ISA_IRQS: u64 = 16;

const RSDP_SIGNATURE: u64 = 0x2052545020445352; // "RSD PTR "
const SIG_MADT: u32 = 0x43495041; // "APIC"
const SDT_HEADER: u64 = 36;
const MADT_LAPIC: u8 = 0;
const MADT_IOAPIC: u8 = 1;
const MADT_OVERRIDE: u8 = 2;
const MADT_LAPIC_ADDRESS: u8 = 5;
const DEFAULT_LAPIC: u64 = 0xfee00000;

/** Polarity/trigger bits of an override (MPS INTI flags). */
export const INTI_ACTIVE_LOW: u16 = 0x3;
export const INTI_LEVEL: u16 = 0xc;

let lapic_phys: u64 = DEFAULT_LAPIC;
let cpu_count: u64 = 0;
let cpu_apic_ids!: InlineArray<u32, 16>;
let ioapic_count: u64 = 0;
let ioapic_phys!: InlineArray<u64, 4>;
let ioapic_gsi_base!: InlineArray<u32, 4>;
let isa_gsi!: InlineArray<u32, 16>; // ISA IRQ -> GSI (identity unless overridden)
let isa_flags!: InlineArray<u16, 16>; // MPS INTI flags (0: bus default, ISA = edge, active high)
let found: bool = false;

function checksum_ok(pa: u64, len: u64): bool {
  let sum: u8 = 0;
  let va = p2v(pa);
  for (let i: u64 = 0; i < len; i++) sum += load<u8>(va, i);
  return sum == 0;
}

/** The RSDP's physical address, searched on 16-byte boundaries in `[start, end)`, or 0. */
function scan_rsdp(start: u64, end: u64): u64 {
  for (let pa = start; pa + 20 <= end; pa += 16) {
    if (load<u64>(p2v(pa)) == RSDP_SIGNATURE && checksum_ok(pa, 20)) return pa;
  }
  return 0;
}

function find_rsdp(): u64 {
  let ebda = u64(load<u16>(p2v(0x40e))) << 4; // BIOS data area: EBDA segment
  if (ebda >= 0x80000 && ebda < 0xa0000) {
    let pa = scan_rsdp(ebda, ebda + 1024);
    if (pa != 0) return pa;
  }
  return scan_rsdp(0xe0000, 0x100000);
}

/** Maps a whole table (its length is in its header) and checks its checksum. */
function table_ok(pa: u64): bool {
  mmio_map(pa, SDT_HEADER);
  let len = u64(load<u32>(p2v(pa), 4));
  if (len < SDT_HEADER) return false;
  mmio_map(pa, len);
  return checksum_ok(pa, len);
}

/** The MADT's physical address through the XSDT (ACPI 2+) or the RSDT, or 0. */
function find_madt(rsdp: u64): u64 {
  let r = p2v(rsdp);
  let xsdt = load<u8>(r, 15) >= 2 ? load<u64>(r, 24) : 0;
  let root = xsdt != 0 ? xsdt : u64(load<u32>(r, 16));
  let entry_size: u64 = xsdt != 0 ? 8 : 4;
  if (!table_ok(root)) return 0;
  let len = u64(load<u32>(p2v(root), 4));
  for (let off = SDT_HEADER; off + entry_size <= len; off += entry_size) {
    let pa = entry_size == 8 ? load<u64>(p2v(root), off) : u64(load<u32>(p2v(root), off));
    if (!table_ok(pa)) continue;
    if (load<u32>(p2v(pa)) == SIG_MADT) return pa;
  }
  return 0;
}

function madt_entry(e: usize): void {
  let kind = load<u8>(e);
  if (kind == MADT_LAPIC) {
    let enabled = (load<u32>(e, 4) & 1) != 0;
    if (enabled && cpu_count < MADT_MAX_CPUS) cpu_apic_ids[cpu_count++] = u32(load<u8>(e, 3));
  } else if (kind == MADT_IOAPIC) {
    if (ioapic_count < MAX_IOAPICS) {
      ioapic_phys[ioapic_count] = u64(load<u32>(e, 4));
      ioapic_gsi_base[ioapic_count] = load<u32>(e, 8);
      ioapic_count++;
    }
  } else if (kind == MADT_OVERRIDE) {
    let irq = u64(load<u8>(e, 3));
    if (load<u8>(e, 2) == 0 && irq < ISA_IRQS) {
      isa_gsi[irq] = load<u32>(e, 4);
      isa_flags[irq] = load<u16>(e, 8);
    }
  } else if (kind == MADT_LAPIC_ADDRESS) {
    lapic_phys = load<u64>(e, 4);
  }
}

/** Reads the MADT. False when there is none (then no I/O APIC is known: the kernel cannot run). */
export function acpi_init(): bool {
  for (let i: u64 = 0; i < ISA_IRQS; i++) {
    isa_gsi[i] = u32(i);
    isa_flags[i] = 0;
  }
  let rsdp = find_rsdp();
  let madt = rsdp != 0 ? find_madt(rsdp) : 0;
  if (madt == 0) return false;
  let m = p2v(madt);
  lapic_phys = u64(load<u32>(m, 36));
  let len = u64(load<u32>(m, 4));
  let off: u64 = 44;
  while (off + 2 <= len) {
    let elen = u64(load<u8>(m, off + 1));
    if (elen < 2) break;
    madt_entry(m + off);
    off += elen;
  }
  found = ioapic_count > 0 && cpu_count > 0;
  if (found) log_info(`ACPI: MADT lists ${cpu_count} CPUs, ${ioapic_count} I/O APIC at ${hex(ioapic_phys[0])}, local APIC at ${hex(lapic_phys)}`);
  return found;
}

export function acpi_lapic_phys(): u64 {
  return lapic_phys;
}

export function acpi_cpu_count(): u64 {
  return cpu_count;
}

/** APIC id of the i-th enabled CPU in MADT order (i < acpi_cpu_count()). */
export function acpi_cpu_apic_id(i: u64): u32 {
  return cpu_apic_ids[i];
}

export function acpi_ioapic_count(): u64 {
  return ioapic_count;
}

export function acpi_ioapic_phys(i: u64): u64 {
  return ioapic_phys[i];
}

export function acpi_ioapic_gsi_base(i: u64): u32 {
  return ioapic_gsi_base[i];
}

/** The GSI an ISA IRQ arrives on, after the MADT's overrides. */
export function acpi_isa_gsi(irq: u64): u32 {
  return isa_gsi[irq];
}

/** MPS INTI flags of an ISA IRQ (polarity bits 0-1, trigger bits 2-3; 0 = ISA default). */
export function acpi_isa_flags(irq: u64): u16 {
  return isa_flags[irq];
}
