// A struct-walking interpreter: a register machine whose instructions are 16-byte `Insn` records
// (opcode, destination, two operands) executed through a switch, with a register file and a data
// memory in module arrays. The program is generated from the random stream: straight-line ALU
// blocks, loads and stores, and a counted loop back-edge. Kernel code of this shape: a packet
// filter (BPF-style), a page-table walker over entry records, a syscall-argument decoder.
import { report, rnd } from "./lib/out";

class Insn {
  op: u32 = 0;
  dst: u32 = 0;
  a: u32 = 0;
  b: u32 = 0;
}

const OP_ADD: u32 = 0;
const OP_SUB: u32 = 1;
const OP_XOR: u32 = 2;
const OP_AND: u32 = 3;
const OP_SHL: u32 = 4;
const OP_SHR: u32 = 5;
const OP_MUL: u32 = 6;
const OP_LDI: u32 = 7; // r[dst] = a | b << 16
const OP_LOAD: u32 = 8; // r[dst] = mem[(r[a] + b) & 1023]
const OP_STORE: u32 = 9; // mem[(r[a] + b) & 1023] = r[dst]
const OP_LOOP: u32 = 10; // if (--r[dst] != 0) pc = a
const OP_HALT: u32 = 11;
const PROG: u32 = 256;

let code!: InlineArray<u64, 512>; // PROG Insns of 16 bytes
let regs!: InlineArray<u32, 16>;
let mem!: InlineArray<u32, 1024>;

function insn(pc: u32): Insn {
  return changetype<Insn>(addr_of(code) + usize(pc) * sizeof<Insn>());
}

let gpc: u32 = 0;

function set(op: u32, dst: u32, a: u32, b: u32): void {
  const i = insn(gpc);
  i.op = op;
  i.dst = dst;
  i.a = a;
  i.b = b;
  gpc++;
}

/** A program: a counter set-up, then a loop body of random ALU, load and store instructions. */
function generate(body: u32, count: u32): void {
  gpc = 0;
  set(OP_LDI, 15, count & 0xffff, count >> 16);
  for (let k: u32 = 0; k < body; k++) {
    const r = rnd();
    const op = (r & 15) % 10;
    set(op, (r >> 4) & 7, (r >> 8) & 7, op == OP_LOAD || op == OP_STORE ? (r >> 12) & 1023 : op == OP_LDI ? (r >> 12) & 0xffff : (r >> 12) & 7);
  }
  set(OP_LOOP, 15, 1, 0);
  set(OP_HALT, 0, 0, 0);
}

function run(): u32 {
  let pc: u32 = 0;
  let steps: u32 = 0;
  for (;;) {
    const i = insn(pc);
    pc++;
    steps++;
    switch (i.op) {
      case OP_ADD:
        regs[i.dst] = regs[i.a] + regs[i.b];
        break;
      case OP_SUB:
        regs[i.dst] = regs[i.a] - regs[i.b];
        break;
      case OP_XOR:
        regs[i.dst] = regs[i.a] ^ regs[i.b];
        break;
      case OP_AND:
        regs[i.dst] = regs[i.a] & regs[i.b];
        break;
      case OP_SHL:
        regs[i.dst] = regs[i.a] << (regs[i.b] & 31);
        break;
      case OP_SHR:
        regs[i.dst] = regs[i.a] >>> (regs[i.b] & 31);
        break;
      case OP_MUL:
        regs[i.dst] = regs[i.a] * regs[i.b];
        break;
      case OP_LDI:
        regs[i.dst] = i.a | (i.b << 16);
        break;
      case OP_LOAD:
        regs[i.dst] = mem[(regs[i.a] + i.b) & 1023];
        break;
      case OP_STORE:
        mem[(regs[i.a] + i.b) & 1023] = regs[i.dst];
        break;
      case OP_LOOP:
        regs[i.dst]--;
        if (regs[i.dst] != 0) pc = i.a;
        break;
      default:
        return steps;
    }
  }
}

export function main(): void {
  let h: u64 = 0;
  for (let p: u32 = 0; p < 20; p++) {
    for (let r: u32 = 0; r < 16; r++) regs[r] = rnd();
    for (let m: u32 = 0; m < 1024; m++) mem[m] = m * 0x9e3779b9;
    generate(PROG - 3, 600);
    const steps = run();
    let s: u64 = u64(steps);
    for (let r: u32 = 0; r < 16; r++) s = s * 0x100000001b3 ^ u64(regs[r]);
    for (let m: u32 = 0; m < 1024; m += 7) s = s * 31 + u64(mem[m]);
    h = h * 1000003 + s;
  }
  report("interp", h);
}
