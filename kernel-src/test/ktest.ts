// The test boot (`test` on the kernel command line): in-kernel self-tests for every subsystem,
// reported in KTAP (`KTAP version 1`, `1..N`, `ok N name` / `not ok N name`, `# ...` diagnostics),
// ending QEMU through isa-debug-exit with EXIT_PASS only if every test passed.
// Tests run one after another in the `ktest` thread (priority 64), each a function returning
// whether it passed; the tables below list them in order.

import { put_str, put_udec, put_char, kprint } from "../lib/log";
import { exit_device, EXIT_PASS, EXIT_FAIL } from "../arch/hal";
import { halt_forever } from "../arch/hal";
import { thread_affinity, thread_set_affinity, sched_cpu_id, thread_sleep } from "../sched/scheduler";
import { slab_reap, slab_all_quiet } from "../mm/slab";
import { pt_cache_shrink } from "../mm/ptcache";
import { test_slab_model, test_slab_debug, test_slab_shrink } from "./slab_tests";
import {
  test_vm_demand_paging, test_vm_user_demand, test_vm_cow, test_vm_user_fork, test_vm_fork_bomb, test_vm_shared_memory,
  test_vm_shm_capability, test_vm_fault_reasons, test_vm_pages_move, test_vm_ipc_map, test_pt_cache, test_hostile_page_quota,
} from "./vm_tests";
import { test_fs_ramdisk, test_fs_user_files } from "./fs_tests";
import { pmm_free_frames } from "../mm/pmm";
import {
  test_log_format, test_multiboot, test_idt, test_ksymtab, test_pmm, test_vmm_map, test_vmm_spaces,
  test_heap_basic, test_heap_errors, test_heap_random, test_heap_growth, test_heap_shrink,
} from "./mm_tests";
import {
  test_threads_500, test_priority_order, test_round_robin, test_preemption, test_sleep_accuracy,
  test_timer,
} from "./sched_tests";
import {
  test_ipc_pingpong_inline, test_ipc_pingpong_buffer, test_ipc_call_reply, test_ipc_errors,
  test_ipc_handoff_reply_wait, test_ipc_fallback_no_receiver, test_ipc_handoff_priority,
  test_ipc_caller_waits_during_reply,
} from "./ipc_tests";
import { test_clock_monotonic, test_sleep_precise, test_ioapic_pit_route } from "./apic_tests";
import {
  test_smp_cpus_and_calls, test_smp_tlb_shootdown, test_smp_lock_torture, test_smp_threads_every_cpu,
  test_smp_user_affinity, test_smp_migration_under_load, test_sched_rt_fifo, test_smp_user_tlb_shootdown,
  test_smp_fpu_across_migration,
} from "./smp_tests";
import {
  test_semaphore_bounded_buffer, test_condvar_signal_broadcast, test_rwlock_readers_share_writer_excludes,
  test_mutex_priority_inheritance, test_futex_user_mutex,
} from "./sync_tests";
import { test_mutex_contention, test_mutex_wake_order, test_mutex_try_lock, test_syscall_preemptible } from "./mutex_tests";
import {
  test_user_syscalls, test_user_faults, test_user_fuzz, test_user_thread_stacks, test_user_receive_preemptible,
  test_user_demo, test_no_leaks,
} from "./user_tests";
import {
  test_hostile_forged_reply, test_hostile_fpu_leak, test_hostile_killed_thread, test_hostile_write_execute,
  test_hostile_exhaustion, test_hostile_priority, test_hostile_capabilities,
  test_hostile_kill_blocked, test_hostile_stale_reply, test_hostile_ac_flag, test_fork_full_cap_table,
  test_ipc_user_user_fast_paths, test_cpu_protections, test_hostile_single_step_syscall, test_kernel_stack_guard,
} from "./hostile_tests";

type TestFn = () => bool;

const TESTS: readonly TestFn[] = [
  test_log_format, test_multiboot, test_idt, test_ksymtab, test_pmm, test_vmm_map, test_vmm_spaces,
  test_heap_basic, test_heap_errors, test_heap_random, test_heap_growth, test_heap_shrink,
  test_slab_model, test_slab_debug, test_slab_shrink, test_vm_demand_paging, test_vm_cow, test_vm_pages_move, test_pt_cache, test_timer,
  test_clock_monotonic, test_sleep_precise, test_ioapic_pit_route,
  test_smp_cpus_and_calls, test_smp_tlb_shootdown, test_smp_lock_torture,
  test_threads_500, test_priority_order, test_round_robin, test_preemption, test_sleep_accuracy,
  test_ipc_pingpong_inline, test_ipc_pingpong_buffer, test_ipc_call_reply, test_ipc_errors,
  test_ipc_handoff_reply_wait, test_ipc_fallback_no_receiver, test_ipc_handoff_priority,
  test_ipc_caller_waits_during_reply, test_mutex_contention, test_mutex_wake_order, test_mutex_try_lock,
  test_semaphore_bounded_buffer, test_condvar_signal_broadcast, test_rwlock_readers_share_writer_excludes,
  test_mutex_priority_inheritance, test_futex_user_mutex,
  test_user_syscalls, test_user_faults, test_user_fuzz, test_syscall_preemptible, test_user_thread_stacks,
  test_user_receive_preemptible, test_user_demo, test_vm_user_demand, test_vm_user_fork, test_vm_fork_bomb, test_vm_shared_memory, test_vm_shm_capability,
  test_vm_ipc_map, test_hostile_page_quota, test_vm_fault_reasons,
  test_fs_ramdisk, test_fs_user_files, test_hostile_forged_reply, test_hostile_fpu_leak,
  test_hostile_killed_thread, test_hostile_write_execute, test_hostile_exhaustion, test_hostile_priority,
  test_hostile_capabilities, test_hostile_kill_blocked, test_hostile_stale_reply, test_hostile_ac_flag,
  test_fork_full_cap_table, test_ipc_user_user_fast_paths, test_cpu_protections,
  test_hostile_single_step_syscall, test_kernel_stack_guard, test_smp_threads_every_cpu, test_smp_user_affinity,
  test_smp_migration_under_load, test_sched_rt_fifo, test_smp_user_tlb_shootdown, test_smp_fpu_across_migration,
  test_no_leaks,
];

const NAMES: readonly string[] = [
  "log_format", "multiboot_info", "idt_breakpoint_and_unexpected", "ksymtab_lookup",
  "pmm_alloc_free", "vmm_map_unmap_translate", "vmm_1000_address_spaces", "heap_basic",
  "heap_double_free_and_corruption", "heap_random_100k", "heap_growth", "heap_shrink",
  "slab_model_100k", "slab_debug_double_free_use_after_free", "slab_shrink_under_pressure",
  "vm_demand_paging_64m_sparse", "vm_copy_on_write_fork", "vm_ipc_pages_move_frames", "pt_cache_reuse_and_shrink", "timer_ticks",
  "clock_monotonic", "sleep_precise_apic_alarm", "ioapic_pit_irq0_route",
  "smp_cpus_and_calls", "smp_tlb_shootdown", "smp_lock_torture",
  "threads_500_create_exit", "sched_priority_order", "sched_round_robin", "sched_preemption",
  "sleep_accuracy", "ipc_pingpong_inline_10k", "ipc_pingpong_buffer_10k", "ipc_call_reply",
  "ipc_errors", "ipc_handoff_reply_wait", "ipc_fallback_no_receiver", "ipc_handoff_priority",
  "ipc_caller_waits_during_reply",
  "mutex_contention", "mutex_wake_order", "mutex_try_lock",
  "semaphore_bounded_buffer", "condvar_signal_broadcast", "rwlock_readers_share_writer_excludes",
  "mutex_priority_inheritance", "futex_user_mutex",
  "user_syscall_error_paths", "user_faults_killed", "syscall_fuzz", "syscall_preempted_by_timer",
  "user_thread_stacks_freed", "ipc_receive_copy_out_preemptible", "user_demo_program",
  "vm_user_demand_paging", "vm_user_fork_own_writes", "vm_fork_bomb_bounded", "vm_shared_memory_two_processes",
  "vm_shm_capability_in_ipc", "vm_ipc_buffer_by_mapping", "hostile_page_quota",
  "vm_bad_accesses_killed_with_reason", "fs_ramdisk_tree", "fs_user_read_write_seek_mmap_unlink",
  "hostile_forged_reply", "hostile_fpu_leak", "hostile_killed_thread_never_runs", "hostile_write_execute",
  "hostile_heap_exhaustion", "hostile_priority_starvation", "hostile_forged_capabilities", "hostile_kill_while_blocked",
  "hostile_stale_reply_right", "hostile_ac_flag_cleared_on_entry", "fork_full_cap_table_no_port_leak",
  "ipc_user_user_fast_paths", "cpu_smep_smap", "hostile_single_step_into_syscall", "kernel_stack_guard_page", "smp_threads_on_every_cpu", "smp_user_affinity_getcpu",
  "smp_migration_under_load", "sched_rt_fifo", "smp_user_tlb_shootdown", "smp_fpu_across_migration",
  "no_leaks_at_end",
];

export function ktest_main(arg: u64): void {
  let n = TESTS.length;
  put_str("KTAP version 1\n");
  kprint(`1..${n}\n`);
  let failed: i32 = 0;
  for (let i: i32 = 0; i < n; i++) {
    let ok = TESTS[i]();
    if (!ok) failed++;
    kprint(`${ok ? "ok" : "not ok"} ${i + 1} ${NAMES[i]}\n`);
  }
  kprint(`# ${n - failed} passed, ${failed} failed\n`);
  exit_device().exit(failed == 0 ? EXIT_PASS : EXIT_FAIL);
  halt_forever();
}

/**
 * Keeps the calling test thread, and the threads it creates from now on, on the CPU it runs on:
 * for tests of the one-CPU scheduling rules (priority order, round robin, the handoff rule),
 * which several CPUs running the threads at once would not show. Returns the old mask for unpin.
 */
export function pin_here(): u64 {
  let old = thread_affinity();
  thread_set_affinity(u64(1) << sched_cpu_id());
  return old;
}

export function unpin(old: u64): void {
  thread_set_affinity(old);
}

/** Whether the n bytes at buf (text captured from the log: capture_begin) contain `needle`. */
export function text_contains(buf: usize, n: u64, needle: string): bool {
  let len = u64(needle.length);
  for (let i: u64 = 0; i + len <= n; i++) {
    if (memcmp(buf + i, changetype<usize>(needle), len) == 0) return true;
  }
  return false;
}

/** Records a failed expectation as a KTAP diagnostic; returns cond. */
export function check(cond: bool, what: string): bool {
  if (!cond) kprint(`# FAIL: ${what}\n`);
  return cond;
}

export function check_eq(got: u64, want: u64, what: string): bool {
  if (got != want) kprint(`# FAIL: ${what}: got ${got} (${hex(got)}), want ${want} (${hex(want)})\n`);
  return got == want;
}

const QUIET_WAIT_MS: u64 = 50;

/**
 * Free frames once the slab caches and the page-table cache have given back every page they keep.
 * Another CPU's magazines are only reachable while it runs no thread (slab.ts), so this first
 * waits a little for the other CPUs to go idle: a thread finishing its exit there (the previous
 * test's) would otherwise keep a slab page in one count and not the next.
 */
export function frames_free(): u64 {
  for (let ms: u64 = 0; ms < QUIET_WAIT_MS && !slab_all_quiet(); ms++) thread_sleep(1);
  slab_reap();
  pt_cache_shrink();
  return pmm_free_frames();
}
