// Fault reports: what the CPU said (vector, error code, CR2), where (RIP as function+offset from
// the linker's .ksymtab), the registers, and a frame-pointer backtrace.
//
// Every function is compiled with a frame pointer, so [rbp] holds the caller's rbp and [rbp+8] the
// return address; thread stacks and the boot stack start with rbp = 0, which ends the walk. The
// walk only follows aligned kernel addresses that are mapped, so a corrupt chain cannot fault here.

import { InterruptFrame } from "./frame";
import { put_str, put_hex, put_char, put_udec, kprint } from "../../lib/log";
import { put_symbol, ksym_find } from "../../lib/ksyms";
import { vmm_is_mapped } from "../../mm/vmm";

const EXCEPTION_NAMES: readonly string[] = [
  "#DE divide error", "#DB debug", "NMI", "#BP breakpoint", "#OF overflow", "#BR bound range",
  "#UD invalid opcode", "#NM device not available", "#DF double fault", "coprocessor overrun",
  "#TS invalid TSS", "#NP segment not present", "#SS stack fault", "#GP general protection",
  "#PF page fault", "reserved 15", "#MF x87 error", "#AC alignment check", "#MC machine check",
  "#XM SIMD error", "#VE virtualization", "#CP control protection", "reserved 22", "reserved 23",
  "reserved 24", "reserved 25", "reserved 26", "reserved 27", "#HV hypervisor injection",
  "#VC VMM communication", "#SX security", "reserved 31",
];

const KERNEL_HALF: u64 = 0xffff800000000000;
const MAX_FRAMES: i32 = 32;
const PF_VECTOR: u64 = 14;

export function exception_name(vector: u64): string {
  return vector < 32 ? EXCEPTION_NAMES[i32(vector)] : "interrupt";
}

/** Walks the rbp chain starting at `rbp`, printing one return address per line. */
export function backtrace(rbp: u64): void {
  put_str("  backtrace:\n");
  let depth: i32 = 0;
  while (rbp >= KERNEL_HALF && (rbp & 7) == 0 && depth < MAX_FRAMES) {
    if (!vmm_is_mapped(rbp) || !vmm_is_mapped(rbp + 8)) break;
    let ret = load<u64>(rbp, 8);
    if (ret == 0) break;
    kprint(`    #${depth} `);
    put_symbol(ret);
    put_char(10);
    rbp = load<u64>(rbp);
    depth++;
  }
}

function reg(name: string, v: u64): void {
  put_str(name);
  put_str("=");
  put_hex(v);
  put_str(" ");
}

/** Prints everything known about a fault (used for kernel faults and killed user programs). */
export function fault_report(f: InterruptFrame, prefix: string): void {
  put_str(prefix);
  put_str("CPU exception ");
  put_udec(f.vector);
  put_str(" (");
  put_str(exception_name(f.vector));
  put_str("), error code ");
  put_hex(f.error);
  put_str("\n  RIP: ");
  put_hex(f.rip);
  if (ksym_find(f.rip) != 0) {
    put_str(" (");
    put_symbol(f.rip);
    put_str(")");
  }
  put_str("\n");
  if (f.vector == PF_VECTOR) {
    put_str("  CR2: ");
    put_hex(read_cr2());
    put_str((f.error & 2) != 0 ? " (write" : " (read");
    put_str((f.error & 1) != 0 ? ", protection violation" : ", not present");
    put_str((f.error & 4) != 0 ? ", user mode)\n" : ", kernel mode)\n");
  }
  put_str("  ");
  reg("RAX", f.rax); reg("RBX", f.rbx); reg("RCX", f.rcx); reg("RDX", f.rdx);
  put_str("\n  ");
  reg("RSI", f.rsi); reg("RDI", f.rdi); reg("RBP", f.rbp); reg("RSP", f.rsp);
  put_str("\n  ");
  reg("R8", f.r8); reg("R9", f.r9); reg("R10", f.r10); reg("R11", f.r11);
  put_str("\n  ");
  reg("R12", f.r12); reg("R13", f.r13); reg("R14", f.r14); reg("R15", f.r15);
  put_str("\n  ");
  reg("CS", f.cs); reg("SS", f.ss); reg("RFLAGS", f.rflags);
  put_str("\n");
  if ((f.cs & 3) == 0) backtrace(f.rbp);
}
