// Scarlett OS: kernel_main, called by arch/x86_64/boot.S in 64-bit mode on the boot stack with
// interrupts off, as kernel_main(multiboot magic, physical address of the multiboot info).
//
// It brings the subsystems up in dependency order (console, boot info, CPU tables, physical and
// virtual memory, heap, scheduler, timer, IPC, system calls), then either runs the demo of the
// seed's boot log or, with `test` on the kernel command line, the KTAP self-tests. The boot
// context then becomes the idle thread: it halts until an interrupt makes something runnable.

import { log_info, kprint, put_char } from "./lib/log";
import { panic, panic_set_exit_qemu } from "./lib/panic";
import { multiboot_init, multiboot_log, cmdline_has } from "./boot/multiboot";
import { serial_init, cpu_tables_init, cpu_features_init, timer_start, smp_start_aps } from "./arch/hal";
import { pmm_init, pmm_free_frames, pmm_total_frames } from "./mm/pmm";
import { vmm_init } from "./mm/vmm";
import { heap_init } from "./mm/heap";
import { kmalloc, kfree } from "./mm/kmalloc";
import { slab_init } from "./mm/slab";
import { vma_init } from "./mm/vma";
import { initrd_mount, initrd_from_module } from "./fs/initrd";
import { fs_file_count } from "./fs/vfs";
import { percpu_init } from "./sched/percpu";
import { scheduler_init, thread_create, thread_current, thread_sleep, idle_loop, sched_set_verbose } from "./sched/scheduler";
import { PRIORITY_NORMAL, thread_name } from "./sched/thread";
import { ipc_init } from "./ipc/port";
import { service_init, service_start } from "./ipc/service";
import { syscall_init } from "./syscall/syscall";
import { proc_spawn_path, proc_init } from "./proc/process";
import { ktest_main } from "./test/ktest";
import { bench_main } from "./test/bench";


const USER_PRIORITY: u8 = 32;

function test_thread(arg: u64): void {
  let t = thread_current();
  kprint(`[TEST THREAD] Hello from test thread!\n`);
  kprint(`[TEST THREAD] Thread ID: ${t.tid}\n`);
  kprint(`[TEST THREAD] Thread name: ${thread_name(t)}\n`);
  for (let i: i32 = 0; i < 5; i++) {
    kprint(`[TEST THREAD] Iteration ${i}\n`);
    thread_sleep(100);
  }
  // The user demo has a lower priority: it starts once this thread is gone.
  proc_spawn_path("/bin/demo", USER_PRIORITY, true);
  kprint(`[TEST THREAD] Test thread exiting\n`);
}

function demo(): void {
  log_info(`Testing heap...`);
  let p = kmalloc(1024);
  log_info(`Allocated 1KB at: ${hex(p)}`);
  kfree(p);
  log_info(`Freed allocation`);
  log_info(`Testing threading...`);
  let tid = thread_create(test_thread, 0, PRIORITY_NORMAL, "test_thread");
  log_info(`Created test thread: tid=${tid}`);
  service_start();
  log_info(`System is now running!`);
  put_char(10);
}

export function kernel_main(magic: u32, mbi_phys: usize): void {
  serial_init();
  kprint(`\nScarlett OS (x86_64), a kernel in restricted TypeScript\n`);
  if (!multiboot_init(magic, mbi_phys)) panic(`not started by a multiboot loader (magic ${hex(magic)})`);
  let testing = cmdline_has("test");
  let benchmarking = cmdline_has("bench");
  panic_set_exit_qemu(testing || benchmarking);
  multiboot_log();
  cpu_tables_init();
  log_info(`CPU tables loaded: GDT with user segments and TSS, IDT with 256 vectors`);
  pmm_init();
  log_info(`PMM: ${pmm_free_frames()} free frames of 4 KiB (${pmm_total_frames() / 256} MiB usable)`);
  vmm_init();
  heap_init();
  if (!percpu_init()) panic(`percpu: class Cpu does not match the CPU_* offsets used by assembly`);
  slab_init(); // after percpu_init: the magazines are per CPU
  vma_init();
  proc_init();
  if (!initrd_mount()) panic(`initrd: not a ustar archive (the first multiboot module, or the built-in copy)`);
  if (initrd_from_module()) log_info(`initrd: multiboot module 0, ${fs_file_count()} files`); // the built-in copy says nothing: the seed's log stays as it was
  scheduler_init();
  timer_start();
  smp_start_aps();
  ipc_init();
  service_init();
  cpu_features_init();
  syscall_init();
  put_char(10);
  log_info(`Kernel initialization complete!`);
  if (testing) {
    sched_set_verbose(false);
    service_start();
    thread_create(ktest_main, 0, PRIORITY_NORMAL, "ktest");
  } else if (benchmarking) {
    sched_set_verbose(false); // no service thread: the benchmarks run alone
    thread_create(bench_main, 0, PRIORITY_NORMAL, "bench");
  } else {
    demo();
  }
  idle_loop();
}
