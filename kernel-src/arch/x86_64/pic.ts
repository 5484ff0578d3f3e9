// The two 8259 PICs, which the I/O APIC replaces: remapped to vectors 32..47 (out of the CPU
// exceptions' range, should one still fire) and fully masked. The local APIC's LINT0, where
// they would arrive, is masked too (lapic.ts).

const PIC1_CMD: u16 = 0x20;
const PIC1_DATA: u16 = 0x21;
const PIC2_CMD: u16 = 0xa0;
const PIC2_DATA: u16 = 0xa1;
const ICW1_INIT_ICW4: u8 = 0x11;
const ICW4_8086: u8 = 0x01;

/** Remaps both PICs to vector_base..vector_base+15 and masks every line. */
export function pic_disable(vector_base: u8): void {
  outb(PIC1_CMD, ICW1_INIT_ICW4);
  outb(PIC2_CMD, ICW1_INIT_ICW4);
  outb(PIC1_DATA, vector_base); // ICW2: vector offsets
  outb(PIC2_DATA, vector_base + 8);
  outb(PIC1_DATA, 4); // ICW3: slave on IRQ2
  outb(PIC2_DATA, 2); // ICW3: slave's cascade identity
  outb(PIC1_DATA, ICW4_8086);
  outb(PIC2_DATA, ICW4_8086);
  outb(PIC1_DATA, 0xff);
  outb(PIC2_DATA, 0xff);
}
