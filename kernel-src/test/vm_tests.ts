// Self-tests of VMAs and demand paging (mm/vma.ts): the fault decisions on a kernel-made address
// space, and a ring-3 program touching 64 MiB sparsely (user/lazy).

import { check, check_eq, frames_free } from "./ktest";
import { kprint, capture_begin, capture_end } from "../lib/log";
import { AddressSpace, vmm_create_address_space, vmm_destroy_address_space, vmm_translate, vmm_pte, vmm_table_pages, vmm_map, VMM_NOT_MAPPED, PTE_U, PTE_W, PTE_NX, PTE_OWNED } from "../mm/vmm";
import { space_fork } from "../proc/fork";
import {
  vma_add, vma_remove, vma_free_all, vma_count, vm_fault, vm_untouched, VMA_ANON, VMA_GUARD,
  VM_OK, VM_UNMAPPED, VM_GUARD, VM_READ_ONLY, VM_NO_EXEC, vm_cow_breaks,
} from "../mm/vma";
import { pmm_reserved, pmm_free_frames, pmm_unreserve, pmm_alloc, pmm_alloc_zeroed, pmm_free } from "../mm/pmm";
import { pt_cached, pt_cache_hits, PT_CACHE_MAX } from "../mm/ptcache";
import { p2v, PAGE_SIZE } from "../mm/layout";
import { Process, proc_spawn_path, proc_wait, proc_live, MAX_PROCESSES, EXIT_FAULT_BASE } from "../proc/process";
import { shm_live } from "../mm/shm";
import { pages_take, pages_map } from "../mm/pagemove";
import { kmalloc, kfree } from "../mm/kmalloc";
import { ipc_send, ipc_port_ref, ipc_live_ports, ipc_receiver_waiting } from "../ipc/port";
import { quota_pages } from "../proc/quota";
import { PROC_MAX_PAGES } from "../abi/limits";
import { clock_ticks } from "../time/clock";
import { IpcMessage, IPC_FLAG_CAP } from "../abi/ipc";
import { kmalloc_live_objects } from "../mm/kmalloc";
import { fs_file_pages } from "../fs/vfs";
import { thread_sleep } from "../sched/scheduler";
import { irq_save, irq_restore } from "../arch/hal";


const BASE: u64 = 0x0000100000000000;
const SIZE: u64 = 64 * 1024 * 1024;
const MIB: u64 = 1024 * 1024;

/** vm_fault as the CPU's fault path calls it (interrupts off). */
function fault(space: AddressSpace, va: u64, write: bool, exec: bool): i32 {
  let irq = irq_save();
  let r = vm_fault(space, va, write, exec);
  irq_restore(irq);
  return r;
}

/** True when the 4 KiB page at va is mapped and all zero except `skip` bytes at the start. */
function zero_page(space: AddressSpace, va: u64): bool {
  let pa = vmm_translate(space, va);
  if (pa == VMM_NOT_MAPPED) return false;
  for (let off: u64 = 0; off < PAGE_SIZE; off += 8) if (load<u64>(p2v(pa) + off) != 0) return false;
  return true;
}

/**
 * 64 MiB of anonymous memory in a fresh address space: its frames are promised at once
 * (pmm_reserve) but taken only as pages are touched: 64 sparse first touches map 64 zeroed frames
 * (plus a few table pages), the other 16320 pages stay unmapped. Faults outside any VMA, in a
 * guard VMA, writes to a read-only VMA and fetches from a no-execute one are refused with their
 * reasons. A munmap-style removal in the middle splits the VMA. At the end every frame and every
 * promise is back.
 */
export function test_vm_demand_paging(): bool {
  let frames = frames_free();
  let promised = pmm_reserved();
  let space = vmm_create_address_space();
  if (space == null) return check(false, "address space");
  let ok = check(vma_add(space, BASE, BASE + SIZE, PTE_U | PTE_W | PTE_NX, VMA_ANON), "64 MiB VMA");
  ok = check_eq(pmm_reserved() - promised, SIZE / PAGE_SIZE, "its 16384 frames promised") && ok;
  ok = check(!vma_add(space, BASE + SIZE - PAGE_SIZE, BASE + SIZE + PAGE_SIZE, PTE_U, VMA_ANON), "an overlapping VMA is refused") && ok;
  let before = pmm_free_frames();
  for (let off: u64 = 0; off < SIZE; off += MIB) {
    if (fault(space, BASE + off + 8, true, false) != VM_OK) ok = check(false, "first touch mapped");
    else if (!zero_page(space, BASE + off)) ok = check(false, "zero-filled");
    store<u64>(p2v(vmm_translate(space, BASE + off)), off);
  }
  let used = before - pmm_free_frames();
  kprint(`# demand paging: 64 touches of 64 MiB took ${used} frames\n`);
  ok = check(used >= 64 && used <= 64 + 36, "64 frames and their table pages, not 16384") && ok;
  ok = check_eq(vm_untouched(space, BASE, BASE + SIZE), SIZE / PAGE_SIZE - 64, "the other pages untouched") && ok;
  ok = check_eq(pmm_reserved() - promised, SIZE / PAGE_SIZE - 64, "64 promises taken") && ok;
  ok = check(vmm_translate(space, BASE + MIB + PAGE_SIZE) == VMM_NOT_MAPPED, "a page never touched is not mapped") && ok;
  ok = check_eq(u64(fault(space, BASE + SIZE + 16, false, false)), u64(VM_UNMAPPED), "outside every VMA") && ok;
  ok = check(vma_add(space, BASE - PAGE_SIZE, BASE, 0, VMA_GUARD), "guard VMA") && ok;
  ok = check_eq(u64(fault(space, BASE - 8, true, false)), u64(VM_GUARD), "a guard page") && ok;
  ok = check(vma_add(space, BASE + 2 * SIZE, BASE + 2 * SIZE + PAGE_SIZE, PTE_U | PTE_NX, VMA_ANON), "read-only VMA") && ok;
  ok = check_eq(u64(fault(space, BASE + 2 * SIZE, true, false)), u64(VM_READ_ONLY), "write to read-only") && ok;
  ok = check_eq(u64(fault(space, BASE + 2 * SIZE, false, true)), u64(VM_NO_EXEC), "fetch from no-execute") && ok;
  ok = check_eq(u64(fault(space, BASE + 2 * SIZE, false, false)), u64(VM_OK), "read of read-only memory maps it") && ok;
  // Remove [8 MiB, 16 MiB) (untouched pages give their promises back, as munmap does).
  let cut = vm_untouched(space, BASE + 8 * MIB, BASE + 16 * MIB);
  ok = check_eq(u64(vma_remove(space, BASE + 8 * MIB, BASE + 16 * MIB)), u64(VMA_ANON), "remove the middle") && ok;
  pmm_unreserve(cut);
  ok = check_eq(vma_count(space), 4, "split in two (plus guard and read-only)") && ok;
  ok = check_eq(u64(vma_remove(space, BASE + 8 * MIB, BASE + 16 * MIB)), 0, "a removed range is gone") && ok;
  ok = check_eq(u64(fault(space, BASE + 9 * MIB + PAGE_SIZE, false, false)), u64(VM_UNMAPPED), "no fault-in in the hole") && ok;
  vma_free_all(space);
  vmm_destroy_address_space(space); // the 8 touched pages of the hole go with the tables here
  ok = check_eq(pmm_reserved(), promised, "every promise back") && ok;
  ok = check_eq(frames_free(), frames, "every frame back") && ok;
  return ok;
}

/**
 * Ring 3 (user/lazy): mmap 64 MiB, touch one page per MiB by page faults, check zero fill, let the
 * kernel count the frames held while the program sleeps, then a system call into an untouched
 * page and munmap. Frames held must be about 64 pages (not 16384), and all back at the exit.
 */
export function test_vm_user_demand(): bool {
  let frames = frames_free();
  let promised = pmm_reserved();
  let p = proc_spawn_path("/bin/lazy", 32, false);
  if (p == null) return check(false, "spawn lazy");
  let low = pmm_free_frames();
  while (!p.exited) {
    let f = pmm_free_frames();
    if (f < low) low = f;
    thread_sleep(10);
  }
  let code = proc_wait(p);
  let held = frames - low;
  kprint(`# lazy: at most ${held} frames held for 64 MiB touched in 64 places\n`);
  let ok = check_eq(u64(code), 0, "lazy: every check passed");
  ok = check(held >= 64 && held < 200, "about 64 pages (plus image, stack, tables), not 16384") && ok;
  ok = check_eq(pmm_reserved(), promised, "every promise back") && ok;
  ok = check_eq(frames_free(), frames, "every frame back") && ok;
  return ok;
}

/** The word at va in space (through the direct map), or a marker when unmapped. */
function peek(space: AddressSpace, va: u64): u64 {
  let pa = vmm_translate(space, va);
  return pa == VMM_NOT_MAPPED ? 0xdeadbeefdeadbeef : load<u64>(p2v(pa));
}

/** A write into space at va as ring 3 would do it: the fault first when the page is not writable. */
function poke(space: AddressSpace, va: u64, v: u64): bool {
  if ((vmm_pte(space, va) & PTE_W) == 0 && fault(space, va, true, false) != VM_OK) return false;
  store<u64>(p2v(vmm_translate(space, va)), v);
  return true;
}

/**
 * Copy-on-write (proc/fork.ts space_fork): 16 touched pages of a parent are shared with the child
 * (no page copied: only table pages are new); each side's first write copies just that page and
 * the other side keeps the old contents; the frames shared stay until both spaces are gone.
 */
export function test_vm_cow(): bool {
  let frames = frames_free();
  let promised = pmm_reserved();
  let parent = vmm_create_address_space();
  if (parent == null) return check(false, "address space");
  let ok = check(vma_add(parent, BASE, BASE + 64 * PAGE_SIZE, PTE_U | PTE_W | PTE_NX, VMA_ANON), "VMA");
  for (let i: u64 = 0; i < 16; i++) ok = check(poke(parent, BASE + i * PAGE_SIZE, 1000 + i), "parent writes") && ok;
  let before = pmm_free_frames();
  let child = space_fork(parent);
  if (child == null) return check(false, "fork");
  let copied = before - pmm_free_frames();
  kprint(`# cow: fork of 16 touched pages took ${copied} frames (tables only)\n`);
  ok = check(copied <= 4, "no page copied at fork") && ok;
  ok = check((vmm_pte(parent, BASE) & PTE_W) == 0 && (vmm_pte(child, BASE) & PTE_W) == 0, "shared pages read-only in both") && ok;
  ok = check_eq(peek(child, BASE + 5 * PAGE_SIZE), 1005, "child sees the parent's data") && ok;
  before = pmm_free_frames();
  ok = check(poke(parent, BASE, 7), "parent writes page 0") && ok;
  ok = check(poke(child, BASE + PAGE_SIZE, 8), "child writes page 1") && ok;
  ok = check_eq(before - pmm_free_frames(), 2, "each first write copied one page") && ok;
  ok = check_eq(peek(parent, BASE), 7, "parent sees its write") && ok;
  ok = check_eq(peek(child, BASE), 1000, "child keeps the old page 0") && ok;
  ok = check_eq(peek(child, BASE + PAGE_SIZE), 8, "child sees its write") && ok;
  ok = check_eq(peek(parent, BASE + PAGE_SIZE), 1001, "parent keeps the old page 1") && ok;
  ok = check(poke(child, BASE + 40 * PAGE_SIZE, 9), "child touches a page never touched") && ok;
  ok = check_eq(peek(parent, BASE + 40 * PAGE_SIZE), 0xdeadbeefdeadbeef, "not in the parent") && ok;
  vma_free_all(parent);
  vmm_destroy_address_space(parent);
  ok = check_eq(peek(child, BASE + 2 * PAGE_SIZE), 1002, "the child's shared pages outlive the parent") && ok;
  before = pmm_free_frames();
  ok = check(poke(child, BASE + 2 * PAGE_SIZE, 10), "sole user: no copy") && ok;
  ok = check_eq(before - pmm_free_frames(), 0, "the last user takes the page back writable") && ok;
  vma_free_all(child);
  vmm_destroy_address_space(child);
  ok = check_eq(pmm_reserved(), promised, "every promise back") && ok;
  ok = check_eq(frames_free(), frames, "every frame back when both are gone") && ok;
  return ok;
}

/**
 * IPC buffers moved by mapping, at the page level (mm/pagemove.ts): 16 touched pages of one space
 * taken for a message and mapped into another take no frame but the receiver's tables; the pages
 * are the same frames; a write on either side copies one page; every frame back at the end.
 */
export function test_vm_pages_move(): bool {
  let frames = frames_free();
  let promised = pmm_reserved();
  let a = vmm_create_address_space();
  let b = vmm_create_address_space();
  let list = kmalloc(16 * 8);
  if (a == null || b == null || list == 0) return check(false, "address spaces and a list");
  let ok = check(vma_add(a!, BASE, BASE + 16 * PAGE_SIZE, PTE_U | PTE_W | PTE_NX, VMA_ANON), "VMA");
  for (let i: u64 = 0; i < 16; i++) ok = check(poke(a!, BASE + i * PAGE_SIZE, 2000 + i), "sender writes") && ok;
  let before = pmm_free_frames();
  ok = check(pages_take(a!, BASE, 16, list), "pages_take") && ok;
  ok = check_eq(before - pmm_free_frames(), 0, "taking the pages copies none") && ok;
  ok = check((vmm_pte(a!, BASE) & PTE_W) == 0, "the sender's pages are read-only (copy-on-write)") && ok;
  let tables = vmm_table_pages();
  let irq = irq_save();
  let mapped = pages_map(b!, BASE + MIB, list, 16);
  irq_restore(irq);
  ok = check(mapped, "pages_map") && ok;
  ok = check_eq(before - pmm_free_frames(), vmm_table_pages() - tables, "mapping them takes only the receiver's table pages") && ok;
  for (let i: u64 = 0; i < 16; i++) {
    ok = check_eq(vmm_translate(b!, BASE + MIB + i * PAGE_SIZE), vmm_translate(a!, BASE + i * PAGE_SIZE), "the same frame") && ok;
  }
  ok = check_eq(peek(b!, BASE + MIB + 3 * PAGE_SIZE), 2003, "the receiver reads the bytes") && ok;
  before = pmm_free_frames();
  ok = check(poke(b!, BASE + MIB, 1), "the receiver writes page 0") && ok;
  ok = check(poke(a!, BASE + PAGE_SIZE, 2), "the sender writes page 1") && ok;
  ok = check_eq(before - pmm_free_frames(), 2, "each write copied one page") && ok;
  ok = check_eq(peek(a!, BASE), 2000, "the sender keeps its page 0") && ok;
  ok = check_eq(peek(b!, BASE + MIB + PAGE_SIZE), 2001, "the receiver keeps its page 1") && ok;
  kfree(list);
  vma_free_all(a!);
  vmm_destroy_address_space(a!);
  vma_free_all(b!);
  vmm_destroy_address_space(b!);
  ok = check_eq(pmm_reserved(), promised, "every promise back") && ok;
  ok = check_eq(frames_free(), frames, "every frame back when both are gone") && ok;
  return ok;
}

/** user/mapmsg: 64 KiB IPC buffers moved by mapping between two processes, and the copy fallbacks. */
export function test_vm_ipc_map(): bool {
  let frames = frames_free();
  let promised = pmm_reserved();
  let live = kmalloc_live_objects();
  let p = proc_spawn_path("/bin/mapmsg", 32, false);
  if (p == null) return check(false, "spawn /bin/mapmsg");
  let ok = check_eq(u64(proc_wait(p)), 0, "mapmsg: failed checks, its and its child's (its exit status)");
  wait_all_gone();
  ok = check_eq(proc_live(), 0, "the child exited too") && ok;
  ok = check_eq(pmm_reserved(), promised, "every promise back") && ok;
  ok = check_eq(kmalloc_live_objects(), live, "nothing left allocated") && ok;
  ok = check_eq(frames_free(), frames, "every frame back") && ok;
  return ok;
}

/**
 * The page-table cache (mm/ptcache.ts): a dead space's tables serve the next space without the
 * PMM; at most PT_CACHE_MAX are kept; when the PMM runs out it empties the cache; a cached table
 * comes back zeroed; every frame back at the end.
 */
export function test_pt_cache(): bool {
  let frames = frames_free(); // empties the cache
  let ok = check_eq(pt_cached(), 0, "the cache starts empty");
  let a = vmm_create_address_space();
  if (a == null) return check(false, "address space");
  ok = check(poke_new(a!, BASE), "map a page (3 tables below the PML4)") && ok;
  vmm_destroy_address_space(a!); // the data page is owned: freed; the 4 tables are cached
  ok = check_eq(pt_cached(), 4, "a dead space's 4 tables are kept") && ok;
  let hits = pt_cache_hits();
  let before = pmm_free_frames();
  let b = vmm_create_address_space();
  if (b == null) return check(false, "address space");
  ok = check(poke_new(b!, BASE + 3 * MIB), "map a page in the next space") && ok;
  ok = check_eq(pt_cache_hits() - hits, 4, "its 4 tables came from the cache") && ok;
  ok = check_eq(before - pmm_free_frames(), 1, "only its data page came from the PMM") && ok;
  ok = check_eq(vmm_translate(b!, BASE), VMM_NOT_MAPPED, "a reused table is clean (nothing of the old space left)") && ok;
  vmm_destroy_address_space(b!);
  // more than the cache keeps: 24 spaces of 4 tables each
  let spaces = kmalloc(24 * 8);
  for (let i: u64 = 0; i < 24; i++) {
    let s = vmm_create_address_space();
    store<u64>(spaces + i * 8, changetype<u64>(s));
    if (s != null) ok = check(poke_new(s!, BASE + i * 2 * MIB), "map") && ok;
  }
  for (let i: u64 = 0; i < 24; i++) {
    let s = load<u64>(spaces + i * 8);
    if (s != 0) vmm_destroy_address_space(changetype<AddressSpace>(s));
  }
  kfree(spaces);
  ok = check_eq(pt_cached(), PT_CACHE_MAX, "the cache keeps PT_CACHE_MAX, the rest go back") && ok;
  // memory pressure: take every frame; the PMM asks the cache for its frames first
  let taken: u64 = 0;
  let list: u64 = 0;
  while (true) {
    let pa = pmm_alloc();
    if (pa == 0) break;
    store<u64>(p2v(pa), list);
    list = pa;
    taken++;
  }
  ok = check_eq(pt_cached(), 0, "out of frames: the cache gave its frames back") && ok;
  while (list != 0) {
    let next = load<u64>(p2v(list));
    pmm_free(list);
    list = next;
  }
  kprint(`# pt cache: ${taken} frames taken under pressure, cache emptied\n`);
  ok = check_eq(frames_free(), frames, "every frame back") && ok;
  return ok;
}

/** Maps a fresh zeroed owned page at va in space (kernel-made spaces in tests). */
function poke_new(space: AddressSpace, va: u64): bool {
  let pa = pmm_alloc_zeroed();
  if (pa == 0) return false;
  if (vmm_map(space, va, pa, PTE_U | PTE_W | PTE_NX | PTE_OWNED)) return true;
  pmm_free(pa);
  return false;
}

/**
 * user/pagehog maps memory until its page quota (PROC_MAX_PAGES) says E_NOMEM, while memory is
 * still free (checked here as it waits), then every other way to get pages charged fails cleanly;
 * the kernel stays up and every frame, promise and allocation comes back.
 */
export function test_hostile_page_quota(): bool {
  let frames = frames_free();
  let promised = pmm_reserved();
  let live = kmalloc_live_objects();
  let p = proc_spawn_path("/bin/pagehog", 32, false);
  if (p == null) return check(false, "spawn /bin/pagehog");
  let t0 = clock_ticks();
  while (!p.exited && !ipc_receiver_waiting(p.port) && clock_ticks() - t0 < 3000) thread_sleep(5);
  let ok = check(ipc_receiver_waiting(p.port), "pagehog reached its limit and waits");
  ok = check_eq(quota_pages(p.quota), PROC_MAX_PAGES, "its quota is full") && ok;
  let headroom = pmm_free_frames() - pmm_reserved();
  kprint(`# page quota: ${quota_pages(p.quota)} pages charged, ${headroom} frames still free and unpromised\n`);
  ok = check(headroom >= 1024, "memory was not what ran out (4 MiB still free)") && ok;
  let m = new IpcMessage();
  ok = check_eq(u64(ipc_send(p.port, m, 0)), 0, "the go-ahead") && ok;
  destroy(m);
  ok = check_eq(u64(proc_wait(p)), 0, "pagehog: failed checks (its exit status)") && ok;
  wait_all_gone();
  ok = check_eq(pmm_reserved(), promised, "every promise back") && ok;
  ok = check_eq(kmalloc_live_objects(), live, "nothing left allocated") && ok;
  ok = check_eq(frames_free(), frames, "every frame back") && ok;
  return ok;
}

/** Waits (up to ~10 s) until no user process is left; the most seen alive at once. */
function wait_all_gone(): u64 {
  let most: u64 = 0;
  for (let i: i32 = 0; i < 1000 && proc_live() != 0; i++) {
    if (proc_live() > most) most = proc_live();
    thread_sleep(10);
  }
  return most;
}

/** user/forker: after SYS_FORK parent and child see only their own writes; all frames back after both exit. */
export function test_vm_user_fork(): bool {
  let frames = frames_free();
  let promised = pmm_reserved();
  let live = kmalloc_live_objects();
  let breaks = vm_cow_breaks();
  let p = proc_spawn_path("/bin/forker", 32, false);
  if (p == null) return check(false, "spawn /bin/forker");
  let ok = check_eq(u64(proc_wait(p)), 0, "forker: failed checks (its exit status)");
  wait_all_gone();
  ok = check_eq(proc_live(), 0, "the child exited too") && ok;
  ok = check(vm_cow_breaks() - breaks >= 4, "copy-on-write faults happened (stack, data, mmap page, both sides)") && ok;
  ok = check_eq(pmm_reserved(), promised, "every promise back") && ok;
  ok = check_eq(kmalloc_live_objects(), live, "no process, thread, VMA or port left") && ok;
  ok = check_eq(frames_free(), frames, "every frame back when both have exited") && ok;
  return ok;
}

/** user/forkbomb: the process limit stops it (E_AGAIN), the kernel stays up, everything comes back. */
export function test_vm_fork_bomb(): bool {
  let frames = frames_free();
  let live = kmalloc_live_objects();
  let p = proc_spawn_path("/bin/forkbomb", 32, false);
  if (p == null) return check(false, "spawn /bin/forkbomb");
  let most: u64 = 0;
  while (!p.exited) { // sample while the bomb goes off
    if (proc_live() > most) most = proc_live();
    thread_sleep(2);
  }
  let code = proc_wait(p);
  wait_all_gone();
  kprint(`# fork bomb: at most ${most} processes seen alive at once (limit ${MAX_PROCESSES})\n`);
  let ok = check_eq(u64(code), 0, "the bomb met the limit (E_AGAIN)");
  ok = check(most > 8 && most <= MAX_PROCESSES, "it multiplied, never past MAX_PROCESSES") && ok;
  ok = check_eq(proc_live(), 0, "every process exited") && ok;
  ok = check_eq(kmalloc_live_objects(), live, "nothing left allocated") && ok;
  ok = check_eq(frames_free(), frames, "every frame back") && ok;
  return ok;
}

/** user/shm: a shared-memory object seen by two views and two processes; its frames go with the last user. */
export function test_vm_shared_memory(): bool {
  let frames = frames_free();
  let pages = fs_file_pages();
  let live = kmalloc_live_objects();
  let p = proc_spawn_path("/bin/shm", 32, false);
  if (p == null) return check(false, "spawn /bin/shm");
  let ok = check_eq(u64(proc_wait(p)), 0, "shm: failed checks (its exit status)");
  wait_all_gone();
  ok = check_eq(fs_file_pages(), pages, "the object's pages freed with its last user") && ok;
  ok = check_eq(kmalloc_live_objects(), live, "nothing left allocated") && ok;
  ok = check_eq(frames_free(), frames, "every frame back") && ok;
  return ok;
}

/**
 * user/shmcap and user/shmpeer: a shared-memory object passed as a capability in IPC messages
 * between two processes that share nothing else (the kernel introduces them: each gets a send
 * right to the other's port). Each sees the other's writes; the peer's guessed handles map
 * nothing; a read-only handle does not map writable; revocation voids the peer's handles; the
 * peer dies (killed by a write to its read-only mapping) holding handles, mappings and a grant
 * queued at its port. Afterwards every record, page, frame and heap block is back.
 */
export function test_vm_shm_capability(): bool {
  let frames = frames_free();
  let pages = fs_file_pages();
  let live = kmalloc_live_objects();
  let records = shm_live();
  let ports = ipc_live_ports();
  capture_begin(addr_of(fault_log), 16384);
  let owner = proc_spawn_path("/bin/shmcap", 32, false);
  let peer = proc_spawn_path("/bin/shmpeer", 32, false);
  let ok = owner != null && peer != null;
  if (ok) { // introductions: a send right to the other's port (the programs wait for it)
    ok = introduce(owner!, peer!) && introduce(peer!, owner!);
  }
  let owner_code: i64 = 99;
  let peer_code: i64 = 99;
  if (owner != null) owner_code = proc_wait(owner!);
  if (peer != null) peer_code = proc_wait(peer!);
  wait_all_gone();
  let n = capture_end();
  ok = check(ok, "spawn and introduce shmcap and shmpeer") && ok;
  ok = check_eq(u64(owner_code), 0, "shmcap: failed checks, its and the peer's (its exit status)") && ok;
  ok = check_eq(u64(peer_code), u64(EXIT_FAULT_BASE - 14), "shmpeer killed by its page fault") && ok;
  ok = check(log_has(n, "(shmpeer): page fault at") && log_has(n, ": write to a read-only mapping"), "killed for a write to its read-only mapping") && ok;
  ok = check(!log_has(n, "FAIL"), "no failed check printed") && ok;
  ok = check_eq(shm_live(), records, "every shared-memory record freed") && ok;
  ok = check_eq(fs_file_pages(), pages, "the object's pages freed") && ok;
  ok = check_eq(ipc_live_ports(), ports, "both ports gone") && ok;
  ok = check_eq(kmalloc_live_objects(), live, "nothing left allocated") && ok;
  ok = check_eq(frames_free(), frames, "every frame back") && ok;
  if (!ok) kprint(`# captured log: ${n} bytes\n`);
  return ok;
}

/** Sends `to` a message carrying a send right to `of`'s port (as a kernel sender may). */
function introduce(to: Process, of: Process): bool {
  let m = new IpcMessage();
  m.flags = IPC_FLAG_CAP;
  m.cap = ipc_port_ref(of.port);
  let r = ipc_send(to.port, m, 0);
  destroy(m);
  return r == 0;
}

let fault_log!: InlineArray<u8, 16384>;

function log_has(n: u64, needle: string): bool {
  let len = u64(needle.length);
  if (n > 16384) n = 16384;
  for (let i: u64 = 0; i + len <= n; i++) {
    if (memcmp(addr_of(fault_log) + i, changetype<usize>(needle), len) == 0) return true;
  }
  return false;
}

/**
 * user/vmfault: four children of one process each make one bad access and are killed with a
 * message naming the address and the reason; the parent goes on; every frame comes back.
 */
export function test_vm_fault_reasons(): bool {
  let frames = frames_free();
  capture_begin(addr_of(fault_log), 16384);
  let p = proc_spawn_path("/bin/vmfault", 32, false);
  let code: i64 = 99;
  if (p != null) {
    code = proc_wait(p);
    wait_all_gone();
  }
  let n = capture_end();
  let ok = check(p != null, "spawn /bin/vmfault");
  ok = check_eq(u64(code), 0, "the parent went on (its exit status)") && ok;
  ok = check(log_has(n, ": write to a read-only mapping"), "killed: write to a read-only mapping") && ok;
  ok = check(log_has(n, ": instruction fetch from a non-executable mapping"), "killed: fetch from no-execute memory") && ok;
  ok = check(log_has(n, "page fault at 0x7FFFFFFDFFF8: guard page"), "killed: the stack's guard page, address named") && ok;
  ok = check(log_has(n, "page fault at 0x300000000000: no mapping at this address"), "killed: no mapping, address named") && ok;
  ok = check(!log_has(n, "survived"), "no child survived its bad access") && ok;
  ok = check_eq(proc_live(), 0, "every process gone") && ok;
  ok = check_eq(frames_free(), frames, "every frame back") && ok;
  return ok;
}
