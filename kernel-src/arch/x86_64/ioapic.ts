// The I/O APIC(s): device interrupt lines (GSIs) to local-APIC vectors. Every redirection entry
// starts masked; ioapic_route_isa unmasks one ISA IRQ on the GSI, polarity and trigger the MADT's
// override gives (acpi.ts), as vector 32 + irq, delivered to one CPU. The PICs are masked, so ISA
// devices reach the CPUs only through here.

import { mmio_map } from "./mmio";
import {
  acpi_ioapic_count, acpi_ioapic_phys, acpi_ioapic_gsi_base, acpi_isa_gsi, acpi_isa_flags,
  INTI_ACTIVE_LOW, INTI_LEVEL,
} from "./acpi";

const REG_VERSION: u32 = 1;
const REG_REDIRECT: u32 = 0x10;
const RTE_ACTIVE_LOW: u64 = 1 << 13;
const RTE_LEVEL: u64 = 1 << 15;
const RTE_MASKED: u64 = 1 << 16;
export const ISA_VECTOR_BASE: u64 = 32;

let bases!: InlineArray<u64, 4>;
let gsi_counts!: InlineArray<u32, 4>;

function read(i: u64, reg: u32): u32 {
  volatile_store<u32>(bases[i], reg);
  return volatile_load<u32>(bases[i], 0x10);
}

function write(i: u64, reg: u32, v: u32): void {
  volatile_store<u32>(bases[i], reg);
  volatile_store<u32>(bases[i], v, 0x10);
}

function write_entry(i: u64, pin: u32, e: u64): void {
  write(i, REG_REDIRECT + pin * 2 + 1, u32(e >> 32));
  write(i, REG_REDIRECT + pin * 2, u32(e & 0xffffffff));
}

/** Maps every I/O APIC and masks all of its pins. */
export function ioapic_init(): void {
  for (let i: u64 = 0; i < acpi_ioapic_count(); i++) {
    bases[i] = mmio_map(acpi_ioapic_phys(i), 0x20);
    gsi_counts[i] = ((read(i, REG_VERSION) >> 16) & 0xff) + 1;
    for (let pin: u32 = 0; pin < gsi_counts[i]; pin++) write_entry(i, pin, RTE_MASKED);
  }
}

/** The I/O APIC serving gsi (its index), or -1. */
function owner(gsi: u32): i64 {
  for (let i: u64 = 0; i < acpi_ioapic_count(); i++) {
    let b = acpi_ioapic_gsi_base(i);
    if (gsi >= b && gsi < b + gsi_counts[i]) return i64(i);
  }
  return -1;
}

/** The redirection entry of an ISA IRQ: its vector, the override's polarity and trigger, a CPU. */
function isa_entry(irq: u64, apic_id: u32, masked: bool): u64 {
  let flags = acpi_isa_flags(irq);
  let e = ISA_VECTOR_BASE + irq;
  if ((flags & INTI_ACTIVE_LOW) == INTI_ACTIVE_LOW) e |= RTE_ACTIVE_LOW;
  if ((flags & INTI_LEVEL) == INTI_LEVEL) e |= RTE_LEVEL;
  if (masked) e |= RTE_MASKED;
  return e | (u64(apic_id) << 56);
}

/** Routes ISA IRQ `irq` to vector 32 + irq on CPU apic_id (unmasked). False if no I/O APIC has its GSI. */
export function ioapic_route_isa(irq: u64, apic_id: u32): bool {
  let gsi = acpi_isa_gsi(irq);
  let i = owner(gsi);
  if (i < 0) return false;
  write_entry(u64(i), gsi - acpi_ioapic_gsi_base(u64(i)), isa_entry(irq, apic_id, false));
  return true;
}

/** Masks ISA IRQ `irq` again. */
export function ioapic_mask_isa(irq: u64): void {
  let gsi = acpi_isa_gsi(irq);
  let i = owner(gsi);
  if (i >= 0) write_entry(u64(i), gsi - acpi_ioapic_gsi_base(u64(i)), isa_entry(irq, 0, true));
}
