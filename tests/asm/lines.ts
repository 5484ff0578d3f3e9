// The encoder differential's instruction lines: the cross product of forms x registers x sizes x
// addressing modes, generated here, plus the hand-picked edge cases in edge64.S / edge32.S.
// Every line must assemble to the same bytes and relocations with GNU as and with ours.

const SFX = { 8: 'b', 16: 'w', 32: 'l', 64: 'q' } as const;
type Size = keyof typeof SFX;
const SIZES: Size[] = [8, 16, 32, 64];

/** Two registers of each width: a legacy one and an extended (REX) one, plus the accumulator. */
const REG: Record<Size, string[]> = {
  8: ['%al', '%cl', '%dil', '%r9b', '%spl', '%ah'],
  16: ['%ax', '%dx', '%si', '%r10w'],
  32: ['%eax', '%ebx', '%esp', '%r11d', '%r15d'],
  64: ['%rax', '%rcx', '%rsp', '%rbp', '%r8', '%r12', '%r13'],
};

/** Every addressing mode worth distinguishing (RIP-relative, SIB, rsp/r12/rbp/r13 bases ...). */
export const MEMS = [
  '(%rax)', '(%rsp)', '(%rbp)', '(%r12)', '(%r13)', '(%r15)', '8(%rax)', '-8(%rbp)', '127(%rcx)', '128(%rcx)',
  '-128(%rdx)', '-129(%rdx)', '0x12345678(%rsi)', '(%rax,%rbx)', '(%rax,%rbx,2)', '4(%rsp,%rcx,4)', '-16(%rbp,%r9,8)',
  '(%r13,%r14,1)', '(%r12,%r12,8)', '(,%rdx,2)', '0x40(,%r10,8)', '0x1234', '-4', 'sym(%rip)', 'sym+16(%rip)', 'ext-4(%rip)',
  'sym', 'sym(%rax)', 'sym+8(,%rcx,8)', '%fs:0x28', '%gs:8(%rax)', '(%eax)', '8(%ebx,%ecx,4)',
];

const ALU = ['add', 'or', 'adc', 'sbb', 'and', 'sub', 'xor', 'cmp'];
const IMMS: Record<Size, string[]> = {
  8: ['$1', '$-1', '$127', '$255', '$-128'],
  16: ['$1', '$-128', '$127', '$128', '$0xffff', '$-32768', '$0x1234'],
  32: ['$1', '$-1', '$128', '$-129', '$0x7fffffff', '$0xffffffff', '$0x12345678'],
  64: ['$1', '$-1', '$128', '$-129', '$0x7fffffff', '$-0x80000000', '$sym', '$ext+4'],
};

export function lines64(): string[] {
  const out: string[] = [];
  const mem = (i: number) => MEMS[i % MEMS.length];
  let k = 0;
  for (const op of ALU) {
    for (const s of SIZES) {
      const [a, b, c] = REG[s];
      out.push(`${op}${SFX[s]} ${b}, ${c}`, `${op} ${c}, ${b}`, `${op}${SFX[s]} ${a}, ${mem(k++)}`, `${op}${SFX[s]} ${mem(k++)}, ${b}`);
      for (const imm of IMMS[s]) out.push(`${op}${SFX[s]} ${imm}, ${a}`, `${op}${SFX[s]} ${imm}, ${b}`);
      out.push(`${op}${SFX[s]} ${IMMS[s][0]}, ${mem(k++)}`, `${op}${SFX[s]} ${IMMS[s][3]}, ${mem(k++)}`);
    }
  }
  for (const op of ['rol', 'ror', 'rcl', 'rcr', 'shl', 'sal', 'shr', 'sar']) {
    for (const s of SIZES) {
      const r = REG[s][1];
      out.push(`${op}${SFX[s]} ${r}`, `${op}${SFX[s]} $1, ${r}`, `${op}${SFX[s]} $7, ${r}`, `${op}${SFX[s]} %cl, ${r}`);
      out.push(`${op}${SFX[s]} ${mem(k++)}`, `${op}${SFX[s]} $3, ${mem(k++)}`, `${op}${SFX[s]} %cl, ${mem(k++)}`);
    }
  }
  for (const op of ['not', 'neg', 'mul', 'imul', 'div', 'idiv', 'inc', 'dec']) {
    for (const s of SIZES) out.push(`${op}${SFX[s]} ${REG[s][1]}`, `${op} ${REG[s][3]}`, `${op}${SFX[s]} ${mem(k++)}`);
  }
  for (const s of [16, 32, 64] as Size[]) {
    const [a, b, c] = REG[s];
    out.push(`imul ${b}, ${c}`, `imul${SFX[s]} ${mem(k++)}, ${a}`, `imul $10, ${b}, ${c}`, `imul $1000, ${mem(k++)}, ${c}`);
    out.push(`imul $-3, ${b}`, `imul $300, ${c}`, `test${SFX[s]} ${b}, ${c}`, `test ${mem(k++)}, ${b}`, `test${SFX[s]} $1, ${a}`);
    out.push(`test${SFX[s]} $0x100, ${b}`, `test${SFX[s]} $5, ${mem(k++)}`);
    for (const op of ['bt', 'bts', 'btr', 'btc']) out.push(`${op} ${b}, ${c}`, `${op}${SFX[s]} $5, ${b}`, `${op}${SFX[s]} $31, ${mem(k++)}`, `${op} ${a}, ${mem(k++)}`);
    for (const op of ['bsf', 'bsr', 'popcnt', 'tzcnt', 'lzcnt']) out.push(`${op} ${b}, ${c}`, `${op}${SFX[s]} ${mem(k++)}, ${a}`);
    for (const op of ['xchg', 'cmpxchg', 'xadd']) out.push(`${op} ${b}, ${c}`, `${op} ${c}, ${mem(k++)}`, `lock ${op}${SFX[s]} ${a}, ${mem(k++)}`);
    out.push(`xchg ${a}, ${c}`, `xchg ${c}, ${a}`, `lea ${mem(k++)}, ${b}`, `lea${SFX[s]} ${mem(k++)}, ${c}`);
    out.push(`mov ${b}, ${c}`, `mov${SFX[s]} ${mem(k++)}, ${b}`, `mov ${c}, ${mem(k++)}`, `mov${SFX[s]} $5, ${b}`, `mov${SFX[s]} $-1, ${mem(k++)}`);
    out.push(`shld $3, ${b}, ${c}`, `shrd %cl, ${b}, ${mem(k++)}`);
  }
  for (const s of SIZES) {
    out.push(`test ${REG[s][1]}, ${REG[s][2]}`, `mov ${REG[s][2]}, ${REG[s][1]}`, `mov${SFX[s]} ${mem(k++)}, ${REG[s][0]}`);
  }
  out.push('xchg %al, %bl', 'xchg %cl, (%rdx)', 'xchg %eax, %eax', 'xchg %rax, %rax', 'xchg %ax, %ax', 'xchg %r8, %rax', 'xchg %eax, %r9d');
  out.push('movb $0x12, %al', 'movb $-1, %r9b', 'movw $0x1234, %dx', 'movl $0x12345678, %r8d', 'movq $-1, %rax', 'movq $0x7fffffff, %r11');
  out.push('movq $0x123456789, %rax', 'movabsq $0x123456789abcdef0, %r15', 'movabs $sym, %rcx', 'movq $sym, %rax', 'movl $sym, %esi');
  out.push('movabs 0x1122334455667788, %al', 'movabs 0x1122334455667788, %ax', 'movabs 0x1122334455667788, %eax', 'movabs 0x1122334455667788, %rax');
  out.push('movabs %al, 0x1122334455667788', 'movabs %rax, 0x1122334455667788', 'movabs ext, %rax', 'movabs %eax, ext+8');
  // addressing modes, as source and destination, with 32- and 64-bit registers
  for (const m of MEMS) out.push(`movq ${m}, %rax`, `movl %r9d, ${m}`, `leaq ${m}, %r14`, `addb $1, ${m}`);
  // zero / sign extension
  for (const [m, src, dst] of [
    ['movzbl', '%al', '%eax'], ['movzbl', '%sil', '%r8d'], ['movzbw', '%bl', '%cx'], ['movzbq', '%dil', '%rax'], ['movzwl', '%ax', '%ecx'],
    ['movzwq', '%r9w', '%r10'], ['movsbl', '%ah', '%eax'], ['movsbw', '%cl', '%dx'], ['movsbq', '%r15b', '%rax'], ['movswl', '%si', '%edi'],
    ['movswq', '%ax', '%rax'], ['movslq', '%eax', '%rax'], ['movslq', '%r12d', '%r13'], ['movzx', '%al', '%ecx'], ['movsx', '%bx', '%rdx'],
    ['movsxd', '%ecx', '%r8'],
  ]) out.push(`${m} ${src}, ${dst}`);
  for (const m of ['movzbl', 'movzwq', 'movsbq', 'movswl', 'movslq', 'movzbw']) out.push(`${m} ${mem(k++)}, %r11${m.endsWith('l') ? 'd' : m.endsWith('w') ? 'w' : ''}`);
  // condition codes: every alias
  const CC = ['o', 'no', 'b', 'c', 'nae', 'ae', 'nb', 'nc', 'e', 'z', 'ne', 'nz', 'be', 'na', 'a', 'nbe', 's', 'ns', 'p', 'pe', 'np', 'po', 'l', 'nge', 'ge', 'nl', 'le', 'ng', 'g', 'nle'];
  for (const cc of CC) out.push(`set${cc} %al`, `set${cc} ${mem(k++)}`, `cmov${cc} %ecx, %edx`, `cmov${cc}q ${mem(k++)}, %r9`, `cmov${cc}w %ax, %bx`, `j${cc} ext`);
  // stack, calls, returns
  for (const r of ['%rax', '%rbx', '%rsp', '%rbp', '%r8', '%r12', '%r15']) out.push(`push ${r}`, `pop ${r}`, `pushq ${r}`);
  out.push('push %ax', 'pop %r9w', 'pushq $1', 'push $-128', 'pushq $200', 'pushq $0x12345678', 'pushw $1', 'pushq $sym', 'pushq (%rax)', 'popq 8(%rsp)', 'pushw (%rbx)');
  out.push('push %fs', 'push %gs', 'pop %fs', 'pop %gs', 'pushfq', 'popfq', 'pushf', 'popf', 'pushfw', 'leave', 'leaveq');
  out.push('call ext', 'call sym', 'jmp ext', 'call *%rax', 'call *%r11', 'callq *8(%rax)', 'jmp *%rdx', 'jmpq *(%rax,%rcx,8)', 'jmp *sym(%rip)', 'call *ext(%rip)');
  out.push('ret', 'retq', 'ret $8', 'retq $16', 'lret', 'lretq', 'lretq $8', 'ljmp *(%rax)', 'lcall *8(%rbx)', 'iret', 'iretq', 'iretw');
  out.push('sysret', 'sysretq', 'sysretl', 'syscall', 'swapgs', 'sysenter', 'sysexit');
  // strings with prefixes
  for (const op of ['movs', 'stos', 'lods', 'cmps', 'scas']) {
    for (const s of SIZES) out.push(`${op}${SFX[s]}`, `rep ${op}${SFX[s]}`);
  }
  out.push('repe cmpsb', 'repne scasb', 'repz cmpsq', 'repnz scasw', 'rep; stosq', 'lock; incl (%rax)');
  out.push('cbtw', 'cwtl', 'cltq', 'cwtd', 'cltd', 'cqto', 'cbw', 'cwde', 'cdqe', 'cwd', 'cdq', 'cqo');
  // system
  for (const cr of ['%cr0', '%cr2', '%cr3', '%cr4', '%cr8']) out.push(`mov ${cr}, %rax`, `mov %r9, ${cr}`, `movq ${cr}, %r12`);
  for (const dr of ['%db0', '%db3', '%db6', '%db7']) out.push(`mov ${dr}, %rcx`, `mov %rdx, ${dr}`);
  for (const sr of ['%es', '%cs', '%ss', '%ds', '%fs', '%gs']) out.push(`mov ${sr}, %eax`, `movw ${sr}, (%rax)`, `mov ${sr}, %r9`);
  for (const sr of ['%es', '%ss', '%ds', '%fs', '%gs']) out.push(`mov %eax, ${sr}`, `mov %ax, ${sr}`, `movw (%rbx), ${sr}`, `mov %r10, ${sr}`);
  out.push('lgdt (%rax)', 'lidt gdtr(%rip)', 'sgdt (%rsp)', 'sidt 8(%rax)', 'ltr %ax', 'ltr (%rdi)', 'ltr %r9w', 'str %ax', 'str %eax', 'str %rax', 'str (%rax)', 'lldt %dx', 'lldt (%rax)', 'sldt %ax');
  out.push('invlpg (%rdi)', 'invlpg 0x1000', 'invlpg sym(%rip)', 'rdmsr', 'wrmsr', 'rdtsc', 'rdtscp', 'cpuid', 'rdpmc', 'xgetbv', 'monitor', 'mwait');
  out.push('cli', 'sti', 'hlt', 'pause', 'clts', 'wbinvd', 'invd', 'mfence', 'lfence', 'sfence', 'nop', 'nopl (%rax)', 'nopw 0(%rax,%rax,1)', 'ud2', 'int3', 'int $0x80', 'int $3', 'int $255');
  out.push('cld', 'std', 'clc', 'stc', 'cmc', 'sahf', 'lahf', 'stac', 'clac', 'bswap %eax', 'bswap %r9d', 'bswap %rcx', 'bswap %r15', 'cmpxchg8b (%rax)', 'lock cmpxchg16b (%rdi)');
  for (const [a, s] of [['%al', 'b'], ['%ax', 'w'], ['%eax', 'l']]) out.push(`in $0x60, ${a}`, `in %dx, ${a}`, `out ${a}, $0x80`, `out ${a}, %dx`, `in${s} $0x3f8, ${a}`.replace('0x3f8', '0xf8'), `out${s} ${a}, %dx`);
  out.push('lock addl $1, (%rax)', 'lock decq 8(%rdi)', 'lock orb $1, (%rsi)', 'lock btsq $3, (%rax)', 'lock xaddq %rax, (%rbx)', 'lock cmpxchgl %ecx, sym(%rip)');
  return out;
}

/** 32-bit code, as a multiboot entry writes it (inside `.code32` of an `as --64` file). */
export function lines32(): string[] {
  const out: string[] = [];
  const mems = ['(%eax)', '(%esp)', '(%ebp)', '8(%ebx)', '-4(%ebp)', '0x1000', 'sym', 'sym+4', '(%eax,%ebx,4)', '0x10(,%ecx,8)', 'sym(,%esi,4)', '%fs:4'];
  const regs: Record<16 | 32 | 8, string[]> = { 8: ['%al', '%bh', '%cl'], 16: ['%ax', '%bx', '%di'], 32: ['%eax', '%ecx', '%esp', '%edi'] };
  let k = 0;
  const mem = () => mems[k++ % mems.length];
  for (const op of ALU) {
    for (const s of [8, 16, 32] as const) {
      const [a, b] = regs[s];
      const sfx = SFX[s];
      out.push(`${op}${sfx} ${a}, ${b}`, `${op}${sfx} $1, ${b}`, `${op}${sfx} $0x100, ${a}`.replace('0x100', s === 8 ? '0x10' : '0x100'), `${op}${sfx} ${mem()}, ${a}`, `${op}${sfx} $2, ${mem()}`);
    }
  }
  for (const r of ['%eax', '%ebx', '%esp', '%ax']) out.push(`inc ${r}`, `dec ${r}`, `push ${r}`, `pop ${r}`);
  out.push('incl (%eax)', 'decb %al', 'pushl $1', 'pushl $0x1000', 'push $sym', 'pushl (%ebx)', 'popl 4(%esp)', 'pushf', 'popf', 'pushfl', 'popfl', 'leave', 'ret', 'ret $4', 'iret', 'lret');
  for (const m of mems) out.push(`movl ${m}, %eax`, `movl %eax, ${m}`, `movb ${m}, %al`, `movw %ax, ${m}`, `movl $5, ${m}`, `leal ${m}, %esi`);
  out.push('movl $0x2badb002, %eax', 'movl $sym, %esp', 'mov %cr0, %eax', 'mov %eax, %cr0', 'mov %cr3, %ebx', 'mov %edi, %cr3', 'mov %cr4, %eax', 'mov %eax, %cr4');
  out.push('mov %eax, %ds', 'mov %ax, %ss', 'mov %es, %eax', 'rdmsr', 'wrmsr', 'cpuid', 'lgdt gdtr', 'lgdt (%eax)', 'lidt idtr', 'ljmp $0x08, $sym', 'ljmp $0x10, $0x100000');
  out.push('call sym', 'jmp sym', 'jne sym', 'call *%eax', 'jmp *(%ebx)', 'cli', 'hlt', 'outb %al, %dx', 'inb $0x64, %al', 'outl %eax, $0xf4', 'rep stosl', 'rep movsb');
  out.push('shl $12, %eax', 'shrl %ecx', 'sarl $31, (%eax)', 'orl $0x80000000, %eax', 'orl $0x20, %eax', 'btsl $8, %eax', 'testl $1, %eax', 'xchg %eax, %ebx');
  out.push('movzbl %al, %eax', 'movzwl (%ebx), %ecx', 'movsbl %bl, %edx', 'imul $12, %eax, %ecx', 'cltd', 'idivl %ecx', 'sete %al', 'cmovne %ecx, %eax');
  return out;
}
