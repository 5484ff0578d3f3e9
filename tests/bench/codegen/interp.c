/* A struct-walking interpreter: a register machine whose instructions are 16-byte Insn records
 * (opcode, destination, two operands) executed through a switch, with a register file and a data
 * memory in static arrays. The program is generated from the random stream. */
#include "lib/bench.h"

typedef struct { u32 op, dst, a, b; } Insn;

enum { OP_ADD, OP_SUB, OP_XOR, OP_AND, OP_SHL, OP_SHR, OP_MUL, OP_LDI, OP_LOAD, OP_STORE, OP_LOOP, OP_HALT };
#define PROG 256

static Insn code[PROG];
static u32 regs[16];
static u32 mem[1024];
static u32 gpc;

static void set(u32 op, u32 dst, u32 a, u32 b) {
  Insn *i = &code[gpc];
  i->op = op; i->dst = dst; i->a = a; i->b = b;
  gpc++;
}

static void generate(u32 body, u32 count) {
  gpc = 0;
  set(OP_LDI, 15, count & 0xffff, count >> 16);
  for (u32 k = 0; k < body; k++) {
    u32 r = rnd();
    u32 op = (r & 15) % 10;
    set(op, (r >> 4) & 7, (r >> 8) & 7, op == OP_LOAD || op == OP_STORE ? (r >> 12) & 1023 : op == OP_LDI ? (r >> 12) & 0xffff : (r >> 12) & 7);
  }
  set(OP_LOOP, 15, 1, 0);
  set(OP_HALT, 0, 0, 0);
}

static u32 run(void) {
  u32 pc = 0, steps = 0;
  for (;;) {
    Insn *i = &code[pc];
    pc++;
    steps++;
    switch (i->op) {
      case OP_ADD: regs[i->dst] = regs[i->a] + regs[i->b]; break;
      case OP_SUB: regs[i->dst] = regs[i->a] - regs[i->b]; break;
      case OP_XOR: regs[i->dst] = regs[i->a] ^ regs[i->b]; break;
      case OP_AND: regs[i->dst] = regs[i->a] & regs[i->b]; break;
      case OP_SHL: regs[i->dst] = regs[i->a] << (regs[i->b] & 31); break;
      case OP_SHR: regs[i->dst] = regs[i->a] >> (regs[i->b] & 31); break;
      case OP_MUL: regs[i->dst] = regs[i->a] * regs[i->b]; break;
      case OP_LDI: regs[i->dst] = i->a | (i->b << 16); break;
      case OP_LOAD: regs[i->dst] = mem[(regs[i->a] + i->b) & 1023]; break;
      case OP_STORE: mem[(regs[i->a] + i->b) & 1023] = regs[i->dst]; break;
      case OP_LOOP:
        regs[i->dst]--;
        if (regs[i->dst] != 0) pc = i->a;
        break;
      default: return steps;
    }
  }
}

void bench_main(void) {
  u64 h = 0;
  for (u32 p = 0; p < 20; p++) {
    for (u32 r = 0; r < 16; r++) regs[r] = rnd();
    for (u32 m = 0; m < 1024; m++) mem[m] = m * 0x9e3779b9u;
    generate(PROG - 3, 600);
    u32 steps = run();
    u64 s = (u64)steps;
    for (u32 r = 0; r < 16; r++) s = s * 0x100000001b3ull ^ (u64)regs[r];
    for (u32 m = 0; m < 1024; m += 7) s = s * 31 + (u64)mem[m];
    h = h * 1000003 + s;
  }
  report("interp", h);
}
