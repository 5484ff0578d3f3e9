// The two 8259 PICs, remapped to vectors 32..47 (the CPU exceptions own 0..31).
//
// Only the IRQs with a driver are unmasked (IRQ0 timer, and IRQ2 for the cascade). IRQ7 and IRQ15
// can be spurious (the line dropped before the CPU acknowledged it): the in-service register tells;
// a spurious IRQ gets no EOI from its own PIC, but a spurious IRQ15 still needs one on the master.

const PIC1_CMD: u16 = 0x20;
const PIC1_DATA: u16 = 0x21;
const PIC2_CMD: u16 = 0xa0;
const PIC2_DATA: u16 = 0xa1;
const ICW1_INIT_ICW4: u8 = 0x11;
const ICW4_8086: u8 = 0x01;
const OCW3_READ_ISR: u8 = 0x0b;
const EOI: u8 = 0x20;

let mask: u16 = 0xffff;

export function pic_init(vector_base: u8): void {
  outb(PIC1_CMD, ICW1_INIT_ICW4);
  outb(PIC2_CMD, ICW1_INIT_ICW4);
  outb(PIC1_DATA, vector_base); // ICW2: vector offsets
  outb(PIC2_DATA, vector_base + 8);
  outb(PIC1_DATA, 4); // ICW3: slave on IRQ2
  outb(PIC2_DATA, 2); // ICW3: slave's cascade identity
  outb(PIC1_DATA, ICW4_8086);
  outb(PIC2_DATA, ICW4_8086);
  mask = 0xffff;
  pic_unmask(2);
}

function write_mask(): void {
  outb(PIC1_DATA, u8(mask & 0xff));
  outb(PIC2_DATA, u8(mask >> 8));
}

export function pic_unmask(irq: u64): void {
  mask &= ~u16(1 << u32(irq));
  write_mask();
}

export function pic_mask(irq: u64): void {
  mask |= u16(1 << u32(irq));
  write_mask();
}

function in_service(cmd: u16): u8 {
  outb(cmd, OCW3_READ_ISR);
  return inb(cmd);
}

/** True for a spurious IRQ7/IRQ15 (and sends the master's EOI a spurious IRQ15 still needs). */
export function pic_irq_is_spurious(irq: u64): bool {
  if (irq == 7) return (in_service(PIC1_CMD) & 0x80) == 0;
  if (irq == 15) {
    if ((in_service(PIC2_CMD) & 0x80) != 0) return false;
    outb(PIC1_CMD, EOI);
    return true;
  }
  return false;
}

export function pic_eoi(irq: u64): void {
  if (irq >= 8) outb(PIC2_CMD, EOI);
  outb(PIC1_CMD, EOI);
}
