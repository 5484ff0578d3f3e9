// The hardware abstraction layer: everything the generic kernel (mm/, sched/, proc/, ipc/,
// syscall/, lib/, time/, main.ts) may ask of the machine. Generic code imports the architecture
// only through this module (the self-tests of x86 code in test/ import arch/x86_64/ directly;
// tests/kernel-layers.test.ts checks both rules); arch/x86_64/ implements it (with its .S files) and is
// the one place that uses control registers, MSRs, port I/O or TLB instructions. A second
// architecture provides the same names.
//
// What each part promises:
// - Interrupt control and the kernel lock. irq_save() turns interrupts off and returns the
//   previous state; irq_restore(flags) puts it back (nesting works). Interrupts off is the
//   kernel's lock: with several CPUs the kernel lock comes with it (taken when interrupts go off,
//   given back when they come on; docs/locking.md). irq_save_local/irq_restore_local turn
//   interrupts off without the lock, for code that touches only this CPU's data.
//   irq_flags_enabled(flags) says whether a saved state had them on. irq_enable and
//   irq_disable set the state outright (the lock going with them); irq_enable_and_halt() turns them on and waits for the
//   next interrupt with no window in between (the idle loop); halt_forever() stops the CPU.
// - Page tables. PTE_P (present), PTE_W (writable), PTE_U (user), PTE_NX (no execute), PTE_G
//   (global: kept across address-space switches), PTE_PS (large page, in a directory entry),
//   PTE_OWNED (software: the mapping owns its frame), PTE_COW (software: copy on write) and PTE_ADDR (the frame's bits) build and
//   read entries; mm/vmm.ts owns the table format's walk.
// - Address spaces and the TLB. mmu_root() is the active root table's physical address;
//   mmu_switch(root) activates another (non-global TLB entries are dropped); mmu_flush_page(va)
//   drops one page's entry in the active space; mmu_enable_global_pages() once at boot.
// - Per-CPU base. cpu_set_percpu_base(record) makes this_cpu() (sched/percpu.ts) return
//   `record` in the kernel (cpu_percpu_base() reads it back, inline: the slab fast paths use it).
//   The record holds the CPU's TSS (Cpu.tss), whose RSP0 is where the CPU finds the stack for an
//   interrupt from user mode and the syscall entry its stack (switch_to stores each thread's stack top there).
// - Clock and timer. timer_start() starts the platform timer, which calls clock_tick(passed)
//   (time/clock.ts) CLOCK_HZ times a second; timer_device() is that timer as a lib/device.ts
//   TimerDevice: now_ns() is the monotonic clock in nanoseconds since timer_start, and
//   clock_alarm is called once the deadline given to set_alarm(ns) has passed (interrupts off).
//   All of it is for the boot CPU.
// - Several CPUs. smp_start_aps() (boot CPU, once, after timer_start) starts the other CPUs and
//   returns how many run; smp_cpus_up() says so later. mmu_flush_page_all_cpus(va) drops a
//   kernel page's TLB entry on every CPU and returns when all have (interrupts may be off),
//   mmu_flush_pages_all_cpus(va, pages) those of a range with one round of IPIs;
//   mmu_flush_page_space(root, va) a user page's on every CPU running that space.
//   smp_reschedule(id) makes CPU id look at its run queue (an IPI).
// - Context switch. context_init(stack_top, entry, arg) builds a new thread's first frame and
//   returns its saved stack pointer; switch_to(c, next) (assembly) runs thread `next` on CPU c,
//   its user FPU/vector registers included: each thread has an FPU_AREA_SIZE save area
//   (Thread.fpu, 16-byte aligned) that fpu_state_init gives its first state.
// - CPU features. cpu_features_init() once at boot, before the first user thread: whatever the
//   protections of user state need (x87/SSE state switching; SMEP and SMAP when the CPU has
//   them). user_access_begin()/user_access_end() bracket every kernel access to user memory
//   (interrupts off in between; mm/usercopy.ts is the only caller); cpu_protections() says
//   what is on (bit 0 SMEP, bit 1 SMAP).
// - System call entry. syscall_entry_init() routes the system-call instruction to the
//   assembly entry, which calls syscall_table (syscall/syscall.ts) with interrupts off.
// - Faults. InterruptFrame is the saved user/kernel state of an exception; frame_from_user
//   tells which; fault_report prints vector, address, symbolized RIP and backtrace;
//   backtrace(frame) walks the kernel stack from a frame address.
// - Platform devices: the console (serial_init, then console_device(), a lib/device.ts
//   CharDevice), the timer (above), the CPU tables (cpu_tables_init), and QEMU's exit device (exit_device(), an
//   ExitDevice) for the test boot.
// - Bit scans: bit_highest/bit_lowest (the scheduler's bitmap, the frame allocator).

export {
  irq_save, irq_restore, irq_flags_enabled, irq_enable, irq_disable, irq_enable_and_halt,
  irq_save_local, irq_restore_local,
  halt_forever, cpu_set_percpu_base, cpu_percpu_base, bit_highest, bit_lowest,
} from "./x86_64/cpu";
export {
  PTE_P, PTE_W, PTE_U, PTE_PS, PTE_G, PTE_OWNED, PTE_COW, PTE_NX, PTE_ADDR,
  mmu_root, mmu_switch, mmu_flush_page, mmu_enable_global_pages,
} from "./x86_64/mmu";
export { context_init, switch_to, switch_to_exit } from "./x86_64/context";
export { syscall_entry_init } from "./x86_64/sysentry";
export { InterruptFrame, frame_from_user } from "./x86_64/frame";
export { fault_report, backtrace } from "./x86_64/fault";
export { serial_init, console_device } from "./x86_64/serial";
export { exit_device, EXIT_PASS, EXIT_FAIL } from "./x86_64/debugexit";
export { cpu_tables_init, cpu_features_init, timer_start } from "./x86_64/platform";
export { FPU_AREA_SIZE, fpu_state_init, fpu_scratch_area, fpu_save } from "./x86_64/fpu";
export { user_access_begin, user_access_end, cpu_protections } from "./x86_64/protect";
export { timer_device } from "./x86_64/timer";
export {
  smp_start_aps, smp_cpus_up, smp_reschedule, smp_tlb_shootdown as mmu_flush_page_all_cpus,
  smp_tlb_shootdown_range as mmu_flush_pages_all_cpus,
  smp_tlb_shootdown_space as mmu_flush_page_space, TLB_ALL,
} from "./x86_64/smp";
