// The one x86-64 instruction table: every instruction form the toolchain can encode, as data.
//
// A form says which operands it takes (in AT&T order), its operand size, its opcode bytes and how
// the operands go into ModRM / the opcode / immediates. The encoder (encode.ts) reads nothing else
// about instructions; the `.S` reader and the code generator both produce Instr records that are
// matched against these forms. TinyCC's x86_64-asm.h is the model.
//
// Forms of one mnemonic are listed in GNU as's order of preference: the encoder takes the shortest
// matching form and, among equally short ones, the first (e.g. `add %eax,%ebx` is 01 /r, not 03 /r).

/** Operand kinds a form accepts. */
export type Kind =
  | 'r8' | 'r16' | 'r32' | 'r64' // general register of that width
  | 'rm8' | 'rm16' | 'rm32' | 'rm64' // general register of that width, or memory
  | 'm' // memory of any width (lea, lgdt, invlpg, ...)
  | 'moffs' // memory given only by an absolute address (mov A0-A3 forms)
  // i8/i16/i32 take any value, truncated to their width (GNU as warns when bits are lost);
  // s8/u8/u16/s32 must fit as they are.
  | 'i8' // immediate byte of a byte operation, or a port number
  | 's8' // sign-extended imm8 of a wider operation (never relocated)
  | 'u8' // a vector, port or frame-depth byte: -128..255 (int, in/out of 16/32 bits, enter)
  | 'c8' // a count byte of a 16/32/64-bit operation (shift counts, bit numbers): -128..255 after
  //        reading the value at the operation's width ($0xffffffff is -1 in a 32-bit shift)
  | 'i16' | 'i32' // immediate of a 16/32-bit operation (either signedness)
  | 'u16' // a 16-bit count or selector: -32768..65535 (ret $n, ljmp $sel)
  | 's32' // sign-extended imm32 of a 64-bit operation
  | 'i64' // full 64-bit immediate (movabs)
  | 'one' // the constant $1 (shift-by-one forms)
  | 'three' // the constant $3 (`int $3` is int3)
  | 'al' | 'ax' | 'eax' | 'rax' | 'cl' | 'dx' // that register only
  | 'rel8' | 'rel32' // direct branch target
  | 'cr' | 'dr' | 'sreg' | 'fs' | 'gs'
  | 'si' | 'di' // a string instruction's operand: (%rsi) with any segment, %es:(%rdi) (or %esi/%edi)
  | 'x' // an SSE register %xmm0-15
  | 'xm'; // an SSE register or memory

export interface Form {
  mnem: string;
  ops: Kind[];
  size: 0 | 8 | 16 | 32 | 64; // operand size: 16 adds 0x66, 64 adds REX.W (unless noW)
  op: number[]; // opcode bytes
  ext?: number | 'r'; // ModRM: reg field = /digit, or 'r' = a register operand
  plusr?: boolean; // register number added to the last opcode byte
  sfx?: boolean; // also reachable as mnem + b/w/l/q suffix (true by default when size != 0)
  def?: boolean; // the default width when neither suffix nor register says which (push, call ...)
  noW?: boolean; // 64-bit operand size is the mode default: no REX.W (push, pop, call, mov %crN)
  no66?: boolean; // 16-bit operand without 0x66 (mov to/from segment register in memory)
  mode?: 32 | 64; // exists only in this mode
  pfx?: number; // mandatory prefix (F3 for pause/popcnt), emitted in the rep slot
  dup?: boolean; // the single register operand is both ModRM.reg and ModRM.rm (imul $i, %r)
  far?: boolean; // ljmp $sel, $off: offset then selector
  lock?: boolean; // takes a lock prefix (when an operand is memory); others raise #UD
  rep?: boolean; // takes a rep/repe/repne prefix (string instructions, and rep ret / rep nop)
  gotx?: boolean; // a GOT load GNU as marks relaxable (32/64-bit): sym@GOTPCREL(%rip) is R_X86_64_(REX_)GOTPCRELX
  narrowAddr?: boolean; // the address is cut to a 16/32-bit register (lea): a symbol displacement is R_X86_64_32
  warn?: string; // GNU as's warning when this form is taken as written (when unsuffixed, for a `def` form)
  indirect?: boolean; // call/jmp through a register or memory: a bare address without `*` is a direct target
}

/** Condition codes (tttn), with every alias GNU as accepts. */
export const CONDITIONS: [number, string[]][] = [
  [0x0, ['o']],
  [0x1, ['no']],
  [0x2, ['b', 'c', 'nae']],
  [0x3, ['ae', 'nb', 'nc']],
  [0x4, ['e', 'z']],
  [0x5, ['ne', 'nz']],
  [0x6, ['be', 'na']],
  [0x7, ['a', 'nbe']],
  [0x8, ['s']],
  [0x9, ['ns']],
  [0xa, ['p', 'pe']],
  [0xb, ['np', 'po']],
  [0xc, ['l', 'nge']],
  [0xd, ['ge', 'nl']],
  [0xe, ['le', 'ng']],
  [0xf, ['g', 'nle']],
];

type Size = 8 | 16 | 32 | 64;
const WIDE: Size[] = [16, 32, 64];
const ALL: Size[] = [8, 16, 32, 64];
const SIZE_SUFFIX_OF: Record<number, string> = { 8: 'b', 16: 'w', 32: 'l', 64: 'q' };
const R = (s: Size) => `r${s}` as Kind;
const RM = (s: Size) => `rm${s}` as Kind;
const ACC: Record<Size, Kind> = { 8: 'al', 16: 'ax', 32: 'eax', 64: 'rax' };
/** The immediate that matches an operation's width (imm32 sign-extended for 64-bit). */
const IMM: Record<Size, Kind> = { 8: 'i8', 16: 'i16', 32: 'i32', 64: 's32' };
/** Byte forms use opcode `b`, wider ones `b + 1`: the x86 w bit. */
const w = (b: number, s: Size) => (s === 8 ? b : b + 1);

const forms: Form[] = [];
/** GNU as's warning when it picks a width for an instruction that names none. */
export const DEFAULT_WARNING = 'no instruction mnemonic suffix given and no register operands; using default';
function add(mnem: string, size: Form['size'], ops: Kind[], op: number[], more: Partial<Form> = {}): void {
  forms.push({ mnem, size, ops, op, ...more });
}
/** An instruction with no operands: bytes only. */
function plain(mnem: string, op: number[], more: Partial<Form> = {}): void {
  add(mnem, 0, [], op, more);
}

// ---- integer ALU: add or adc sbb and sub xor cmp ----
['add', 'or', 'adc', 'sbb', 'and', 'sub', 'xor', 'cmp'].forEach((m, digit) => {
  const base = digit * 8;
  const lock = m !== 'cmp'; // a memory destination can be locked
  for (const s of ALL) add(m, s, [R(s), RM(s)], [w(base, s)], { ext: 'r', lock });
  for (const s of ALL) add(m, s, [RM(s), R(s)], [w(base + 2, s)], { ext: 'r', gotx: s >= 32 });
  for (const s of WIDE) add(m, s, ['s8', RM(s)], [0x83], { ext: digit, lock });
  for (const s of ALL) add(m, s, [IMM[s], ACC[s]], [w(base + 4, s)]);
  for (const s of ALL) add(m, s, [IMM[s], RM(s)], [w(0x80, s)], { ext: digit, lock });
});

// ---- test ----
for (const s of ALL) add('test', s, [IMM[s], ACC[s]], [w(0xa8, s)]);
for (const s of ALL) add('test', s, [IMM[s], RM(s)], [w(0xf6, s)], { ext: 0 });
for (const s of ALL) add('test', s, [R(s), RM(s)], [w(0x84, s)], { ext: 'r', gotx: s >= 32 });
for (const s of ALL) add('test', s, [RM(s), R(s)], [w(0x84, s)], { ext: 'r', gotx: s >= 32 });

// ---- unary group 3 and inc/dec ----
['not', 'neg', 'mul', 'imul', 'div', 'idiv'].forEach((m, i) => {
  for (const s of ALL) add(m, s, [RM(s)], [w(0xf6, s)], { ext: i + 2, lock: i < 2 });
});
['inc', 'dec'].forEach((m, digit) => {
  for (const s of [16, 32] as Size[]) add(m, s, [R(s)], [0x40 + digit * 8], { plusr: true, mode: 32 });
  for (const s of ALL) add(m, s, [RM(s)], [w(0xfe, s)], { ext: digit, lock: true });
});
for (const s of WIDE) {
  add('imul', s, [RM(s), R(s)], [0x0f, 0xaf], { ext: 'r' });
  add('imul', s, ['s8', RM(s), R(s)], [0x6b], { ext: 'r' });
  add('imul', s, [IMM[s], RM(s), R(s)], [0x69], { ext: 'r' });
  add('imul', s, ['s8', R(s)], [0x6b], { ext: 'r', dup: true });
  add('imul', s, [IMM[s], R(s)], [0x69], { ext: 'r', dup: true });
}

// ---- shifts and rotates ----
['rol', 'ror', 'rcl', 'rcr', 'shl', 'shr', 'sal', 'sar'].forEach((m, i) => {
  const digit = m === 'sal' ? 4 : i;
  for (const s of ALL) {
    add(m, s, ['one', RM(s)], [w(0xd0, s)], { ext: digit });
    add(m, s, [RM(s)], [w(0xd0, s)], { ext: digit });
    add(m, s, ['cl', RM(s)], [w(0xd2, s)], { ext: digit });
    add(m, s, [s === 8 ? 'i8' : 'c8', RM(s)], [w(0xc0, s)], { ext: digit }); // GNU cuts a byte op's count
  }
});
for (const [m, op] of [['shld', 0xa4], ['shrd', 0xac]] as [string, number][]) {
  for (const s of WIDE) {
    add(m, s, ['c8', R(s), RM(s)], [0x0f, op], { ext: 'r' });
    add(m, s, ['cl', R(s), RM(s)], [0x0f, op + 1], { ext: 'r' });
  }
}

// ---- bit tests and scans ----
['bt', 'bts', 'btr', 'btc'].forEach((m, i) => {
  for (const s of WIDE) {
    add(m, s, [R(s), RM(s)], [0x0f, 0xa3 + i * 8], { ext: 'r', lock: m !== 'bt' });
    add(m, s, ['c8', RM(s)], [0x0f, 0xba], { ext: 4 + i, lock: m !== 'bt' });
  }
});
for (const s of WIDE) {
  add('bsf', s, [RM(s), R(s)], [0x0f, 0xbc], { ext: 'r' });
  add('bsr', s, [RM(s), R(s)], [0x0f, 0xbd], { ext: 'r' });
  add('popcnt', s, [RM(s), R(s)], [0x0f, 0xb8], { ext: 'r', pfx: 0xf3 });
  add('tzcnt', s, [RM(s), R(s)], [0x0f, 0xbc], { ext: 'r', pfx: 0xf3 });
  add('lzcnt', s, [RM(s), R(s)], [0x0f, 0xbd], { ext: 'r', pfx: 0xf3 });
}
for (const s of [32, 64] as Size[]) add('bswap', s, [R(s)], [0x0f, 0xc8], { plusr: true });

// ---- moves ----
for (const s of ALL) add('mov', s, [R(s), RM(s)], [w(0x88, s)], { ext: 'r' });
for (const s of ALL) add('mov', s, [RM(s), R(s)], [w(0x8a, s)], { ext: 'r', gotx: s >= 32 });
for (const s of [8, 16, 32] as Size[]) add('mov', s, [IMM[s], R(s)], [s === 8 ? 0xb0 : 0xb8], { plusr: true });
for (const s of ALL) add('mov', s, [IMM[s], RM(s)], [w(0xc6, s)], { ext: 0 });
add('mov', 64, ['i64', 'r64'], [0xb8], { plusr: true });
for (const s of [8, 16, 32] as Size[]) {
  add('mov', s, ['moffs', ACC[s]], [w(0xa0, s)], { mode: 32 });
  add('mov', s, [ACC[s], 'moffs'], [w(0xa2, s)], { mode: 32 });
}
// movabs: the 64-bit immediate and the 64-bit absolute address forms.
add('movabs', 64, ['i64', 'r64'], [0xb8], { plusr: true });
for (const s of ALL) {
  add('movabs', s, ['moffs', ACC[s]], [w(0xa0, s)], { mode: 64 });
  add('movabs', s, [ACC[s], 'moffs'], [w(0xa2, s)], { mode: 64 });
}
// Segment registers: a memory operand is 16 bits wide and takes no 0x66.
add('mov', 16, ['sreg', 'r16'], [0x8c], { ext: 'r' });
add('mov', 32, ['sreg', 'r32'], [0x8c], { ext: 'r' });
add('mov', 64, ['sreg', 'r64'], [0x8c], { ext: 'r', noW: true, mode: 64 });
add('mov', 16, ['sreg', 'm'], [0x8c], { ext: 'r', no66: true, def: true });
add('mov', 16, ['r16', 'sreg'], [0x8e], { ext: 'r', no66: true });
add('mov', 32, ['r32', 'sreg'], [0x8e], { ext: 'r' });
add('mov', 64, ['r64', 'sreg'], [0x8e], { ext: 'r', noW: true, mode: 64 });
add('mov', 16, ['m', 'sreg'], [0x8e], { ext: 'r', no66: true, def: true });
// Control and debug registers: the general register is always full width.
add('mov', 64, ['cr', 'r64'], [0x0f, 0x20], { ext: 'r', noW: true, mode: 64 });
add('mov', 64, ['r64', 'cr'], [0x0f, 0x22], { ext: 'r', noW: true, mode: 64 });
add('mov', 64, ['dr', 'r64'], [0x0f, 0x21], { ext: 'r', noW: true, mode: 64 });
add('mov', 64, ['r64', 'dr'], [0x0f, 0x23], { ext: 'r', noW: true, mode: 64 });
add('mov', 32, ['cr', 'r32'], [0x0f, 0x20], { ext: 'r', mode: 32 });
add('mov', 32, ['r32', 'cr'], [0x0f, 0x22], { ext: 'r', mode: 32 });
add('mov', 32, ['dr', 'r32'], [0x0f, 0x21], { ext: 'r', mode: 32 });
add('mov', 32, ['r32', 'dr'], [0x0f, 0x23], { ext: 'r', mode: 32 });

// Zero and sign extension, under GNU's suffixed names (source width, then destination width).
const EXTEND: [string, Size, Size, number[]][] = [
  ['movzbw', 8, 16, [0x0f, 0xb6]], ['movzbl', 8, 32, [0x0f, 0xb6]], ['movzbq', 8, 64, [0x0f, 0xb6]],
  ['movzwl', 16, 32, [0x0f, 0xb7]], ['movzwq', 16, 64, [0x0f, 0xb7]],
  ['movsbw', 8, 16, [0x0f, 0xbe]], ['movsbl', 8, 32, [0x0f, 0xbe]], ['movsbq', 8, 64, [0x0f, 0xbe]],
  ['movswl', 16, 32, [0x0f, 0xbf]], ['movswq', 16, 64, [0x0f, 0xbf]],
  ['movslq', 32, 64, [0x63]],
];
for (const [m, from, to, op] of EXTEND) {
  add(m, to, [RM(from), R(to)], op, { ext: 'r', sfx: false });
  // Intel-style names take the widths from the register operands.
  add(m[3] === 'z' ? 'movzx' : m === 'movslq' ? 'movsxd' : 'movsx', to, [RM(from), R(to)], op, { ext: 'r', sfx: false });
  // GNU's half-suffixed names (movzb, movsw, movsl ...) name the source width only.
  add(m.slice(0, 5), to, [RM(from), R(to)], op, { ext: 'r', sfx: false });
}

for (const s of WIDE) add('lea', s, ['m', R(s)], [0x8d], { ext: 'r', narrowAddr: s !== 64 });

// ---- exchange and atomics ----
add('xchg', 64, ['rax', 'rax'], [0x90], { noW: true, mode: 64 }); // GNU as: a plain nop, no REX.W, also as xchgq
for (const s of WIDE) {
  add('xchg', s, [R(s), ACC[s]], [0x90], { plusr: true });
  add('xchg', s, [ACC[s], R(s)], [0x90], { plusr: true });
}
for (const s of ALL) {
  add('xchg', s, [R(s), RM(s)], [w(0x86, s)], { ext: 'r', lock: true });
  add('xchg', s, [RM(s), R(s)], [w(0x86, s)], { ext: 'r', lock: true });
  add('cmpxchg', s, [R(s), RM(s)], [0x0f, w(0xb0, s)], { ext: 'r', lock: true });
  add('xadd', s, [R(s), RM(s)], [0x0f, w(0xc0, s)], { ext: 'r', lock: true });
}
add('cmpxchg8b', 0, ['m'], [0x0f, 0xc7], { ext: 1, lock: true });
add('cmpxchg16b', 64, ['m'], [0x0f, 0xc7], { ext: 1, sfx: false, lock: true });

// ---- condition codes ----
for (const [cc, names] of CONDITIONS) {
  for (const n of names) {
    add('j' + n, 0, ['rel8'], [0x70 + cc]);
    add('j' + n, 0, ['rel32'], [0x0f, 0x80 + cc]);
    add('set' + n, 8, ['rm8'], [0x0f, 0x90 + cc], { ext: 0, sfx: false, def: true });
    for (const s of WIDE) add('cmov' + n, s, [RM(s), R(s)], [0x0f, 0x40 + cc], { ext: 'r' });
  }
}

// ---- stack ----
add('push', 64, ['r64'], [0x50], { plusr: true, noW: true, mode: 64 });
add('push', 32, ['r32'], [0x50], { plusr: true, mode: 32 });
add('push', 16, ['r16'], [0x50], { plusr: true });
add('push', 64, ['s8'], [0x6a], { noW: true, mode: 64, def: true });
add('push', 64, ['s32'], [0x68], { noW: true, mode: 64, def: true });
add('push', 32, ['s8'], [0x6a], { mode: 32, def: true });
add('push', 32, ['i32'], [0x68], { mode: 32, def: true });
add('push', 16, ['s8'], [0x6a]);
add('push', 16, ['i16'], [0x68]);
add('push', 64, ['rm64'], [0xff], { ext: 6, noW: true, mode: 64, def: true });
add('push', 32, ['rm32'], [0xff], { ext: 6, mode: 32, def: true });
add('push', 16, ['rm16'], [0xff], { ext: 6 });
add('push', 0, ['fs'], [0x0f, 0xa0]);
add('push', 0, ['gs'], [0x0f, 0xa8]);
add('pop', 64, ['r64'], [0x58], { plusr: true, noW: true, mode: 64 });
add('pop', 32, ['r32'], [0x58], { plusr: true, mode: 32 });
add('pop', 16, ['r16'], [0x58], { plusr: true });
add('pop', 64, ['rm64'], [0x8f], { ext: 0, noW: true, mode: 64, def: true });
add('pop', 32, ['rm32'], [0x8f], { ext: 0, mode: 32, def: true });
add('pop', 16, ['rm16'], [0x8f], { ext: 0 });
add('pop', 0, ['fs'], [0x0f, 0xa1]);
add('pop', 0, ['gs'], [0x0f, 0xa9]);
plain('pushf', [0x9c], { size: 64, noW: true, mode: 64, def: true, sfx: true });
plain('pushf', [0x9c], { size: 32, mode: 32, def: true, sfx: true });
plain('pushf', [0x9c], { size: 16, sfx: true });
plain('popf', [0x9d], { size: 64, noW: true, mode: 64, def: true, sfx: true });
plain('popf', [0x9d], { size: 32, mode: 32, def: true, sfx: true });
plain('popf', [0x9d], { size: 16, sfx: true });
plain('leave', [0xc9], { size: 64, noW: true, mode: 64, def: true, sfx: true });
plain('leave', [0xc9], { size: 32, mode: 32, def: true, sfx: true });
plain('leave', [0xc9], { size: 16, sfx: true });

// ---- control transfer ----
add('jmp', 0, ['rel8'], [0xeb]);
add('jmp', 0, ['rel32'], [0xe9]);
// A direct call takes the mode's suffix (callq sym); a direct jmp takes none (GNU as refuses jmpq sym).
add('call', 64, ['rel32'], [0xe8], { noW: true, mode: 64, def: true });
add('call', 32, ['rel32'], [0xe8], { mode: 32, def: true });
add('jmp', 64, ['rm64'], [0xff], { ext: 4, noW: true, mode: 64, def: true, indirect: true, gotx: true });
add('call', 64, ['rm64'], [0xff], { ext: 2, noW: true, mode: 64, def: true, indirect: true, gotx: true });
add('jmp', 32, ['rm32'], [0xff], { ext: 4, mode: 32, def: true, indirect: true });
add('call', 32, ['rm32'], [0xff], { ext: 2, mode: 32, def: true, indirect: true });
add('loop', 0, ['rel8'], [0xe2]);
add('loope', 0, ['rel8'], [0xe1]);
add('loopne', 0, ['rel8'], [0xe0]);
add('jrcxz', 0, ['rel8'], [0xe3], { mode: 64 });
add('jecxz', 0, ['rel8'], [0xe3], { mode: 32 });
add('jecxz', 0, ['rel8'], [0xe3], { mode: 64, pfx: 0x67 }); // address-size prefix: test %ecx
add('ret', 64, [], [0xc3], { noW: true, mode: 64, def: true, rep: true });
add('ret', 64, ['u16'], [0xc2], { noW: true, mode: 64, def: true });
add('ret', 32, [], [0xc3], { mode: 32, def: true, rep: true });
add('ret', 16, [], [0xc3], { rep: true });
add('ret', 16, ['u16'], [0xc2]);
add('ret', 32, ['u16'], [0xc2], { mode: 32, def: true });
add('lret', 32, [], [0xcb], { def: true, warn: DEFAULT_WARNING });
add('lret', 32, ['u16'], [0xca], { def: true, warn: DEFAULT_WARNING });
add('lret', 64, [], [0xcb], { mode: 64 });
add('lret', 64, ['u16'], [0xca], { mode: 64 });
add('ljmp', 32, ['u16', 'i32'], [0xea], { far: true, mode: 32, def: true });
add('lcall', 32, ['u16', 'i32'], [0x9a], { far: true, mode: 32, def: true });
add('ljmp', 32, ['m'], [0xff], { ext: 5, def: true });
add('lcall', 32, ['m'], [0xff], { ext: 3, def: true });
add('int', 0, ['three'], [0xcc]);
add('int', 0, ['u8'], [0xcd]);
plain('int3', [0xcc]);
plain('iret', [0xcf], { size: 32, def: true, sfx: true, warn: DEFAULT_WARNING });
plain('iret', [0xcf], { size: 16, sfx: true });
plain('iret', [0xcf], { size: 64, mode: 64, sfx: true }); // iretq: REX.W
plain('sysret', [0x0f, 0x07], { size: 32, def: true, sfx: true, warn: DEFAULT_WARNING });
plain('sysret', [0x0f, 0x07], { size: 64, mode: 64, sfx: true });
plain('syscall', [0x0f, 0x05]);
plain('sysenter', [0x0f, 0x34]);
plain('sysexit', [0x0f, 0x35], { warn: DEFAULT_WARNING });

// ---- string operations (rep/repe/repne are prefixes) ----
// Without a suffix (`movs`) the width defaults to 32 bits, with GNU's warning.
// The operands may be written out: (%rsi) / %es:(%rdi) (or their 32-bit registers), in GNU's order.
const STRING_OPS: Record<string, (s: Size) => Kind[][]> = {
  movs: () => [['si', 'di']], cmps: () => [['di', 'si']], stos: (s) => [[ACC[s], 'di'], ['di']],
  lods: (s) => [['si', ACC[s]], ['si']], scas: (s) => [['di', ACC[s]], ['di']],
};
for (const [m, op] of [['movs', 0xa4], ['cmps', 0xa6], ['stos', 0xaa], ['lods', 0xac], ['scas', 0xae]] as [string, number][]) {
  for (const s of ALL) {
    add(m, s, [], [w(op, s)], { rep: true });
    for (const ops of STRING_OPS[m](s)) add(m, s, ops, [w(op, s)], { rep: true });
  }
}
// GNU as reads movsd/cmpsd without operands as movsl/cmpsl (the SSE2 ones take operands).
add('movsd', 32, [], [0xa5], { rep: true, sfx: false, warn: "found 'movsd'; assuming 'movsl' was meant" });
add('cmpsd', 32, [], [0xa7], { rep: true, sfx: false, warn: "found 'cmpsd'; assuming 'cmpsl' was meant" });
for (const [m, op] of [['ins', 0x6c], ['outs', 0x6e]] as [string, number][]) {
  for (const s of [8, 16, 32] as Size[]) {
    add(m, s, [], [w(op, s)], { rep: true });
    add(m, s, m === 'ins' ? ['dx', 'di'] : ['si', 'dx'], [w(op, s)], { rep: true });
  }
}

// ---- sign extension of the accumulator ----
const CONVERT: [string, string, Size, number][] = [
  ['cbtw', 'cbw', 16, 0x98], ['cwtl', 'cwde', 32, 0x98], ['cltq', 'cdqe', 64, 0x98],
  ['cwtd', 'cwd', 16, 0x99], ['cltd', 'cdq', 32, 0x99], ['cqto', 'cqo', 64, 0x99],
];
for (const [att, intel, s, op] of CONVERT) {
  plain(att, [op], { size: s, sfx: false });
  plain(intel, [op], { size: s, sfx: false });
}

// ---- port I/O ----
// GNU as cuts an over-wide port number to a byte only in a byte operation (inb $0x123, %al).
// The port register may be written %dx or (%dx); with a suffix the accumulator may be left out.
for (const s of [8, 16, 32] as Size[]) {
  const port: Kind = s === 8 ? 'i8' : 'u8';
  add('in', s, [port, ACC[s]], [w(0xe4, s)]);
  add('in', s, ['dx', ACC[s]], [w(0xec, s)]);
  add('out', s, [ACC[s], port], [w(0xe6, s)]);
  add('out', s, [ACC[s], 'dx'], [w(0xee, s)]);
  add('in', s, [port], [w(0xe4, s)]);
  add('in', s, ['dx'], [w(0xec, s)]);
  add('out', s, [port], [w(0xe6, s)]);
  add('out', s, ['dx'], [w(0xee, s)]);
}

// ---- descriptor tables, paging, MSRs and other system instructions ----
['sgdt', 'sidt', 'lgdt', 'lidt'].forEach((m, digit) => {
  add(m, 0, ['m'], [0x0f, 0x01], { ext: digit });
  add(m, 64, ['m'], [0x0f, 0x01], { ext: digit, noW: true, mode: 64 }); // lgdtq: the 64-bit mode's 10-byte form
});
add('invlpg', 0, ['m'], [0x0f, 0x01], { ext: 7 });
add('ltr', 16, ['rm16'], [0x0f, 0x00], { ext: 3, no66: true, def: true });
add('lldt', 16, ['rm16'], [0x0f, 0x00], { ext: 2, no66: true, def: true });
add('str', 16, ['m'], [0x0f, 0x00], { ext: 1, no66: true, def: true });
add('sldt', 16, ['m'], [0x0f, 0x00], { ext: 0, no66: true, def: true });
for (const s of WIDE) {
  add('str', s, [R(s)], [0x0f, 0x00], { ext: 1, noW: true });
  add('sldt', s, [R(s)], [0x0f, 0x00], { ext: 0, noW: true });
}
add('nop', 0, [], [0x90], { rep: true });
for (const s of WIDE) add('nop', s, [RM(s)], [0x0f, 0x1f], { ext: 0 });
const SIMPLE: [string, number[], Partial<Form>?][] = [
  ['hlt', [0xf4]], ['cli', [0xfa]], ['sti', [0xfb]], ['cld', [0xfc]], ['std', [0xfd]],
  ['clc', [0xf8]], ['stc', [0xf9]], ['cmc', [0xf5]], ['sahf', [0x9e]], ['lahf', [0x9f]],
  ['pause', [0x90], { pfx: 0xf3 }], ['ud2', [0x0f, 0x0b]], ['clts', [0x0f, 0x06]],
  ['invd', [0x0f, 0x08]], ['wbinvd', [0x0f, 0x09]], ['cpuid', [0x0f, 0xa2]],
  ['rdtsc', [0x0f, 0x31]], ['rdtscp', [0x0f, 0x01, 0xf9]], ['rdmsr', [0x0f, 0x32]],
  ['wrmsr', [0x0f, 0x30]], ['rdpmc', [0x0f, 0x33]], ['swapgs', [0x0f, 0x01, 0xf8], { mode: 64 }],
  ['mfence', [0x0f, 0xae, 0xf0]], ['lfence', [0x0f, 0xae, 0xe8]], ['sfence', [0x0f, 0xae, 0xf8]],
  ['monitor', [0x0f, 0x01, 0xc8]], ['mwait', [0x0f, 0x01, 0xc9]], ['xgetbv', [0x0f, 0x01, 0xd0]],
  ['xsetbv', [0x0f, 0x01, 0xd1]], ['stac', [0x0f, 0x01, 0xcb]], ['clac', [0x0f, 0x01, 0xca]],
  // Prefixes written as instructions of their own (`rep; movsb`, `lock; incl (%rax)`).
  ['lock', [0xf0]], ['rep', [0xf3]], ['repe', [0xf3]], ['repz', [0xf3]], ['repne', [0xf2]], ['repnz', [0xf2]],
];
for (const [m, op, more] of SIMPLE) plain(m, op, more ?? {});

// ---- FPU/SSE state, cache lines, prefetch ----
// The `64` names and the q suffix save or restore with REX.W (64-bit FPU instruction pointers).
for (const [m, digit] of [['fxsave', 0], ['fxrstor', 1], ['xsave', 4], ['xrstor', 5], ['xsaveopt', 6]] as [string, number][]) {
  add(m, 0, ['m'], [0x0f, 0xae], { ext: digit });
  add(m, 64, ['m'], [0x0f, 0xae], { ext: digit, mode: 64 });
  add(m + '64', 64, ['m'], [0x0f, 0xae], { ext: digit, mode: 64, sfx: false });
}
add('clflush', 0, ['m'], [0x0f, 0xae], { ext: 7 });
add('clflushopt', 0, ['m'], [0x0f, 0xae], { ext: 7, pfx: 0x66 });
for (const [m, op, digit] of [['prefetchnta', 0x18, 0], ['prefetcht0', 0x18, 1], ['prefetcht1', 0x18, 2], ['prefetcht2', 0x18, 3], ['prefetchw', 0x0d, 1]] as [string, number, number][])
  add(m, 0, ['m'], [0x0f, op], { ext: digit });

// ---- SSE register moves (mandatory prefix, then 0F op): load form first, store form second ----
for (const [m, pfx, load, store] of [
  ['movdqa', 0x66, 0x6f, 0x7f], ['movdqu', 0xf3, 0x6f, 0x7f], ['movaps', undefined, 0x28, 0x29], ['movups', undefined, 0x10, 0x11],
  ['movapd', 0x66, 0x28, 0x29], ['movupd', 0x66, 0x10, 0x11],
] as [string, number | undefined, number, number][]) {
  add(m, 0, ['xm', 'x'], [0x0f, load], { ext: 'r', pfx });
  add(m, 0, ['x', 'm'], [0x0f, store], { ext: 'r', pfx });
}
add('movq', 0, ['xm', 'x'], [0x0f, 0x7e], { ext: 'r', pfx: 0xf3, sfx: false }); // m64 or xmm -> xmm
add('movq', 0, ['x', 'm'], [0x0f, 0xd6], { ext: 'r', pfx: 0x66, sfx: false });
add('movq', 64, ['rm64', 'x'], [0x0f, 0x6e], { ext: 'r', pfx: 0x66, sfx: false, mode: 64 });
add('movq', 64, ['x', 'rm64'], [0x0f, 0x7e], { ext: 'r', pfx: 0x66, sfx: false, mode: 64 });
add('movd', 0, ['rm32', 'x'], [0x0f, 0x6e], { ext: 'r', pfx: 0x66 });
add('movd', 0, ['x', 'rm32'], [0x0f, 0x7e], { ext: 'r', pfx: 0x66 });
add('movd', 64, ['r64', 'x'], [0x0f, 0x6e], { ext: 'r', pfx: 0x66, sfx: false, mode: 64 });
add('movd', 64, ['x', 'r64'], [0x0f, 0x7e], { ext: 'r', pfx: 0x66, sfx: false, mode: 64 });

// ---- more system and bit instructions GNU as knows and kernels use ----
add('enter', 64, ['u16', 'u8'], [0xc8], { noW: true, mode: 64, def: true });
add('enter', 32, ['u16', 'u8'], [0xc8], { mode: 32, def: true });
add('enter', 16, ['u16', 'u8'], [0xc8]);
for (const s of WIDE) {
  add('rdrand', s, [R(s)], [0x0f, 0xc7], { ext: 6, sfx: false });
  add('rdseed', s, [R(s)], [0x0f, 0xc7], { ext: 7, sfx: false });
  add('smsw', s, [R(s)], [0x0f, 0x01], { ext: 4 });
  add('ud0', s, [RM(s), R(s)], [0x0f, 0xff], { ext: 'r' });
  add('ud1', s, [RM(s), R(s)], [0x0f, 0xb9], { ext: 'r' });
  add('movbe', s, ['m', R(s)], [0x0f, 0x38, 0xf0], { ext: 'r' });
  add('movbe', s, [R(s), 'm'], [0x0f, 0x38, 0xf1], { ext: 'r' });
  for (const [m, op] of [['lar', 0x02], ['lsl', 0x03]] as [string, number][]) {
    add(m, s, [R(s), R(s)], [0x0f, op], { ext: 'r' });
    add(m, s, ['m', R(s)], [0x0f, op], { ext: 'r' });
  }
}
add('smsw', 16, ['m'], [0x0f, 0x01], { ext: 4, no66: true, def: true });
add('lmsw', 16, ['rm16'], [0x0f, 0x01], { ext: 6, no66: true, def: true });
add('verr', 16, ['rm16'], [0x0f, 0x00], { ext: 4, no66: true, def: true });
add('verw', 16, ['rm16'], [0x0f, 0x00], { ext: 5, no66: true, def: true });
for (const s of [32, 64] as Size[]) {
  ['rdfsbase', 'rdgsbase', 'wrfsbase', 'wrgsbase'].forEach((m, digit) => add(m, s, [R(s)], [0x0f, 0xae], { ext: digit, pfx: 0xf3, mode: 64, sfx: false }));
  add('adcx', s, [RM(s), R(s)], [0x0f, 0x38, 0xf6], { ext: 'r', pfx: 0x66 });
  add('adox', s, [RM(s), R(s)], [0x0f, 0x38, 0xf6], { ext: 'r', pfx: 0xf3 });
}
add('invpcid', 64, ['m', 'r64'], [0x0f, 0x38, 0x82], { ext: 'r', pfx: 0x66, noW: true, mode: 64, sfx: false });
add('rdpid', 64, ['r64'], [0x0f, 0xc7], { ext: 7, pfx: 0xf3, noW: true, mode: 64, sfx: false });
// crc32 is named by its source width; the destination is a 32- or 64-bit register.
// The operand size is the destination's (REX.W for a 64-bit one), except that crc32w takes 0x66.
for (const [from, to] of [[8, 32], [8, 64], [16, 32], [32, 32], [64, 64]] as [Size, Size][])
  add('crc32' + SIZE_SUFFIX_OF[from], from === 16 ? 16 : to, [RM(from), R(to)], [0x0f, 0x38, from === 8 ? 0xf0 : 0xf1], { ext: 'r', pfx: 0xf2, sfx: false });
add('clwb', 0, ['m'], [0x0f, 0xae], { ext: 6, pfx: 0x66 });
add('xsavec', 0, ['m'], [0x0f, 0xc7], { ext: 4 });
add('xsaves', 0, ['m'], [0x0f, 0xc7], { ext: 5 });
add('xrstors', 0, ['m'], [0x0f, 0xc7], { ext: 3 });
for (const [m, op, more] of [
  ['endbr64', [0x0f, 0x1e, 0xfa], { pfx: 0xf3 }], ['endbr32', [0x0f, 0x1e, 0xfb], { pfx: 0xf3 }], ['vmcall', [0x0f, 0x01, 0xc1]],
  ['invlpga', [0x0f, 0x01, 0xdf]], ['fninit', [0xdb, 0xe3]], ['xlat', [0xd7]], ['xlatb', [0xd7]], ['wbnoinvd', [0x0f, 0x09], { pfx: 0xf3 }],
  ['rdpkru', [0x0f, 0x01, 0xee]], ['wrpkru', [0x0f, 0x01, 0xef]],
] as [string, number[], Partial<Form>?][]) plain(m, op, more ?? {});

/** A form reachable by a mnemonic; `suffixed` when the name carried a b/w/l/q suffix for its width. */
export interface FormRef {
  form: Form;
  suffixed: boolean;
}

/** Mnemonic (as written, suffix included) -> candidate forms, in table order. */
export const BY_MNEMONIC: Map<string, FormRef[]> = new Map();
function index(name: string, ref: FormRef): void {
  let list = BY_MNEMONIC.get(name);
  if (!list) BY_MNEMONIC.set(name, (list = []));
  list.push(ref);
}
const SIZE_SUFFIX = SIZE_SUFFIX_OF;
for (const f of forms) {
  index(f.mnem, { form: f, suffixed: false });
  if (f.size !== 0 && f.sfx !== false) index(f.mnem + SIZE_SUFFIX[f.size], { form: f, suffixed: true });
}

/** Prefix words that may precede an instruction on the same line, by the slot they take (one each). */
export interface Prefix {
  byte: number;
  slot: 'lock' | 'rep' | 'seg' | 'data' | 'addr';
}
export const PREFIXES: Record<string, Prefix> = {
  lock: { byte: 0xf0, slot: 'lock' },
  rep: { byte: 0xf3, slot: 'rep' }, repe: { byte: 0xf3, slot: 'rep' }, repz: { byte: 0xf3, slot: 'rep' },
  repne: { byte: 0xf2, slot: 'rep' }, repnz: { byte: 0xf2, slot: 'rep' },
  data16: { byte: 0x66, slot: 'data' }, addr32: { byte: 0x67, slot: 'addr' },
  es: { byte: 0x26, slot: 'seg' }, cs: { byte: 0x2e, slot: 'seg' }, ss: { byte: 0x36, slot: 'seg' },
  ds: { byte: 0x3e, slot: 'seg' }, fs: { byte: 0x64, slot: 'seg' }, gs: { byte: 0x65, slot: 'seg' },
};

/** Mnemonics of call/jmp through memory: a bare address operand without `*` means a direct target. */
export function isIndirectBranch(mnem: string): boolean {
  return BY_MNEMONIC.get(mnem)?.some((r) => r.form.indirect) ?? false;
}

/** Mnemonics that take a direct branch target rather than an immediate or memory operand. */
export function isBranch(mnem: string): boolean {
  return BRANCHES.has(mnem);
}
const BRANCHES = new Set([...BY_MNEMONIC].filter(([, refs]) => refs.some((r) => r.form.ops[0] === 'rel8' || r.form.ops[0] === 'rel32')).map(([m]) => m));

export interface RegInfo {
  num: number; // 0-15 (segment, control and debug registers: their own numbering)
  size: 0 | 8 | 16 | 32 | 64;
  cls: 'gpr' | 'sreg' | 'cr' | 'dr' | 'rip' | 'xmm';
  rexOnly?: boolean; // spl bpl sil dil: only with a REX prefix
  noRex?: boolean; // ah ch dh bh: never with a REX prefix
}

export const REGS: Map<string, RegInfo> = new Map();
{
  const q = ['rax', 'rcx', 'rdx', 'rbx', 'rsp', 'rbp', 'rsi', 'rdi'];
  const d = ['eax', 'ecx', 'edx', 'ebx', 'esp', 'ebp', 'esi', 'edi'];
  const wd = ['ax', 'cx', 'dx', 'bx', 'sp', 'bp', 'si', 'di'];
  const b = ['al', 'cl', 'dl', 'bl', 'spl', 'bpl', 'sil', 'dil'];
  for (let i = 0; i < 8; i++) {
    REGS.set(q[i], { num: i, size: 64, cls: 'gpr' });
    REGS.set(d[i], { num: i, size: 32, cls: 'gpr' });
    REGS.set(wd[i], { num: i, size: 16, cls: 'gpr' });
    REGS.set(b[i], { num: i, size: 8, cls: 'gpr', rexOnly: i >= 4 });
  }
  ['ah', 'ch', 'dh', 'bh'].forEach((r, i) => REGS.set(r, { num: 4 + i, size: 8, cls: 'gpr', noRex: true }));
  for (let i = 8; i < 16; i++) {
    REGS.set(`r${i}`, { num: i, size: 64, cls: 'gpr' });
    REGS.set(`r${i}d`, { num: i, size: 32, cls: 'gpr' });
    REGS.set(`r${i}w`, { num: i, size: 16, cls: 'gpr' });
    REGS.set(`r${i}b`, { num: i, size: 8, cls: 'gpr' });
  }
  ['es', 'cs', 'ss', 'ds', 'fs', 'gs'].forEach((r, i) => REGS.set(r, { num: i, size: 16, cls: 'sreg' }));
  for (const i of [0, 2, 3, 4, 8]) REGS.set(`cr${i}`, { num: i, size: 0, cls: 'cr' });
  for (const i of [0, 1, 2, 3, 6, 7]) REGS.set(`db${i}`, { num: i, size: 0, cls: 'dr' });
  for (const i of [0, 1, 2, 3, 6, 7]) REGS.set(`dr${i}`, { num: i, size: 0, cls: 'dr' });
  for (let i = 0; i < 16; i++) REGS.set(`xmm${i}`, { num: i, size: 0, cls: 'xmm' });
  REGS.set('rip', { num: 0, size: 64, cls: 'rip' });
  REGS.set('eip', { num: 0, size: 32, cls: 'rip' });
}

/** Segment override prefixes. */
export const SEG_PREFIX: Record<string, number> = { es: 0x26, cs: 0x2e, ss: 0x36, ds: 0x3e, fs: 0x64, gs: 0x65 };
