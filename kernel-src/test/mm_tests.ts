// Self-tests for the console formatter, boot information, CPU tables, symbol table, PMM, VMM and
// heap (see ktest.ts for the runner).

import { check, check_eq, frames_free, text_contains, pin_here, unpin } from "./ktest";
import { capture_begin, capture_end, put_fmt } from "../lib/log";
import { cmdline_has, mmap_present, mmap_total_available } from "../boot/multiboot";
import { cpu_breakpoint, cpu_raise_unexpected } from "../arch/x86_64/cpu";
import { idt_breakpoints, idt_unexpected } from "../arch/x86_64/idt";
import { ksym_find, ksym_name, ksym_addr, ksym_count } from "../lib/ksyms";
import { pmm_alloc, pmm_free, pmm_free_frames, pmm_is_used, pmm_bad_frees } from "../mm/pmm";
import {
  vmm_create_address_space, vmm_destroy_address_space, vmm_map, vmm_unmap, vmm_translate, vmm_pte,
  vmm_kernel_space, vmm_table_pages, VMM_NOT_MAPPED, PTE_U, PTE_W, PTE_NX, PTE_OWNED,
} from "../mm/vmm";
import { heap_check, heap_used_bytes, heap_errors, heap_size, heap_live_blocks } from "../mm/heap";
import { kmalloc, kzalloc, kfree, krealloc, kmalloc_used_bytes, kmalloc_live_objects } from "../mm/kmalloc";
import { SLAB_MAX_SIZE } from "../mm/slab";
import { p2v, kernel_image_end_phys, HEAP_BASE, HEAP_INITIAL_SIZE, PAGE_SIZE } from "../mm/layout";

let fmt_buf!: InlineArray<u8, 128>;

function formats_as(expected: string, f: fmt): bool {
  capture_begin(addr_of(fmt_buf), 128);
  put_fmt(f);
  let n = capture_end();
  let ok = n == u64(expected.length) && memcmp(addr_of(fmt_buf), changetype<usize>(expected), n) == 0;
  return check(ok, expected);
}

export function test_log_format(): bool {
  let big: u64 = 0xffffffffffffffff;
  let neg: i64 = -9223372036854775807 - 1;
  let small: i32 = -42;
  let flag = true;
  let ok = formats_as("a=0 b=18446744073709551615 c=-42", `a=${u64(0)} b=${big} c=${small}`);
  ok = formats_as("min=-9223372036854775808", `min=${neg}`) && ok;
  ok = formats_as("hex=0xFFFFFFFFC0000040 zero=0x0", `hex=${hex(HEAP_BASE + 0x40)} zero=${hex(0)}`) && ok;
  ok = formats_as("s=str flag=1 u8=255", `s=${"str"} flag=${flag} u8=${u8(255)}`) && ok;
  return ok;
}

export function test_multiboot(): bool {
  let ok = check(mmap_present(), "memory map present");
  ok = check(mmap_total_available() > 100 * 1024 * 1024, "more than 100 MiB available") && ok;
  ok = check(cmdline_has("test"), "command line has 'test'") && ok;
  ok = check(!cmdline_has("tes"), "whole words only") && ok;
  return ok;
}

export function test_idt(): bool {
  let bp = idt_breakpoints();
  cpu_breakpoint();
  cpu_breakpoint();
  let ok = check_eq(idt_breakpoints() - bp, 2, "#BP handled and resumed twice");
  let un = idt_unexpected();
  cpu_raise_unexpected();
  ok = check_eq(idt_unexpected() - un, 1, "stray vector counted") && ok;
  return ok;
}

function name_is(e: usize, name: string): bool {
  if (e == 0) return false;
  let p = ksym_name(e);
  let n = u64(name.length);
  return memcmp(p, changetype<usize>(name), n) == 0 && load<u8>(p + n) == 0;
}

export function test_ksymtab(): bool {
  let ok = check(ksym_count() > 50, "symbol table has entries");
  let e = ksym_find(addressof(kmalloc) + 3);
  ok = check(name_is(e, "kmalloc"), "kmalloc+3 resolves to kmalloc") && ok;
  ok = check(e != 0 && ksym_addr(e) == addressof(kmalloc), "symbol address") && ok;
  ok = check(name_is(ksym_find(addressof(test_ksymtab)), "test_ksymtab"), "own function") && ok;
  ok = check(ksym_find(0x1000) == 0, "low address has no symbol") && ok;
  return ok;
}

let frames!: InlineArray<u64, 256>;

export function test_pmm(): bool {
  let before = frames_free();
  let ok = true;
  let reserved_end = kernel_image_end_phys();
  for (let i: i32 = 0; i < 256; i++) {
    let pa = pmm_alloc();
    frames[i] = pa;
    if (pa == 0 || (pa & 0xfff) != 0 || pa < reserved_end || !pmm_is_used(pa)) ok = check(false, "frame valid and outside reserved memory");
    store<u64>(p2v(pa), u64(i)); // frames are usable through the direct map
  }
  ok = check_eq(before - frames_free(), 256, "256 frames taken") && ok;
  for (let i: i32 = 0; i < 256; i++) {
    if (load<u64>(p2v(frames[i])) != u64(i)) ok = check(false, "frames distinct");
  }
  for (let i: i32 = 0; i < 256; i++) pmm_free(frames[i]);
  ok = check_eq(frames_free(), before, "all frames back") && ok;
  let bad = pmm_bad_frees();
  pmm_free(frames[0]); // double free: refused
  pmm_free(0x1000); // reserved low memory: refused
  ok = check_eq(pmm_bad_frees() - bad, 2, "bad frees refused") && ok;
  ok = check_eq(frames_free(), before, "bad frees changed nothing") && ok;
  return ok;
}

export function test_vmm_map(): bool {
  let before = frames_free();
  let space = vmm_create_address_space();
  if (space == null) return check(false, "create address space");
  let pa = pmm_alloc();
  let va: u64 = 0x400000;
  let ok = check(vmm_map(space, va, pa, PTE_U | PTE_W | PTE_OWNED), "map");
  ok = check(!vmm_map(space, va, pa, PTE_U), "double map refused") && ok;
  ok = check_eq(vmm_translate(space, va + 0x123), pa + 0x123, "translate") && ok;
  let e = vmm_pte(space, va);
  ok = check((e & PTE_U) != 0 && (e & PTE_W) != 0 && (e & PTE_NX) == 0, "pte flags") && ok;
  ok = check_eq(vmm_translate(space, va + PAGE_SIZE), VMM_NOT_MAPPED, "neighbour unmapped") && ok;
  // the kernel half is shared, and supervisor-only
  ok = check_eq(vmm_translate(space, HEAP_BASE), vmm_translate(vmm_kernel_space(), HEAP_BASE), "heap shared") && ok;
  ok = check((vmm_pte(space, HEAP_BASE) & PTE_U) == 0, "kernel pages not user") && ok;
  ok = check((vmm_pte(space, addressof(test_vmm_map)) & PTE_W) == 0, "kernel text read-only") && ok;
  ok = check((vmm_pte(space, addressof(test_vmm_map)) & PTE_NX) == 0, "kernel text executable") && ok;
  ok = check((vmm_pte(space, addr_of(frames)) & PTE_NX) != 0, "kernel bss not executable") && ok;
  ok = check(vmm_unmap(space, va), "unmap") && ok;
  ok = check(!vmm_unmap(space, va), "unmap twice refused") && ok;
  ok = check_eq(vmm_translate(space, va), VMM_NOT_MAPPED, "unmapped") && ok;
  vmm_destroy_address_space(space);
  ok = check_eq(frames_free(), before, "no frame leaked") && ok;
  return ok;
}

export function test_vmm_spaces(): bool {
  // On one CPU: the AddressSpace records freed go to this CPU's slab magazines, which
  // frames_free() empties (another CPU's only while that CPU runs no thread: one that the test
  // thread left for another, busy, could keep a slab page).
  let pin = pin_here();
  let ok = vmm_spaces();
  unpin(pin);
  return ok;
}

function vmm_spaces(): bool {
  let before = frames_free();
  let tables = vmm_table_pages();
  let ok = true;
  for (let i: u64 = 0; i < 1000; i++) {
    let space = vmm_create_address_space();
    if (space == null) return check(false, "create");
    for (let j: u64 = 0; j < 3; j++) {
      let pa = pmm_alloc();
      let va = 0x400000 + j * 0x40000000 + i * PAGE_SIZE; // different tables per page
      if (!vmm_map(space, va, pa, PTE_U | PTE_W | PTE_OWNED)) ok = check(false, "map");
    }
    vmm_destroy_address_space(space);
  }
  ok = check_eq(frames_free(), before, "frames after 1000 create/destroy") && ok;
  ok = check_eq(vmm_table_pages(), tables, "page-table pages") && ok;
  return ok;
}

export function test_heap_basic(): bool {
  let used = kmalloc_used_bytes();
  let ok = true;
  for (let n: u64 = 1; n < 2000; n += 37) {
    let p = kmalloc(n);
    let in_heap = p >= HEAP_BASE;
    if (p == 0 || (p & 15) != 0 || in_heap != (n > SLAB_MAX_SIZE)) ok = check(false, "kmalloc result aligned, small sizes from the slabs, large from the heap");
    memset(p, 0xab, n);
    kfree(p);
  }
  let z = kzalloc(3000);
  let zero = true;
  for (let i: u64 = 0; i < 3000; i++) if (load<u8>(z + i) != 0) zero = false;
  ok = check(zero, "kzalloc zeroes") && ok;
  for (let i: u64 = 0; i < 3000; i++) store<u8>(z + i, u8(i));
  let r = krealloc(z, 10000);
  let kept = r != 0;
  for (let i: u64 = 0; i < 3000 && kept; i++) if (load<u8>(r + i) != u8(i)) kept = false;
  ok = check(kept, "krealloc keeps contents") && ok;
  let s = krealloc(r, 100);
  ok = check(s == r, "krealloc shrinks in place") && ok;
  ok = check(krealloc(s, 0) == 0, "krealloc to 0 frees") && ok;
  ok = check(kmalloc(0) == 0, "kmalloc(0) is null") && ok;
  ok = check_eq(kmalloc_used_bytes(), used, "all freed") && ok;
  ok = check(heap_check(), "heap consistent") && ok;
  return ok;
}

let report_buf!: InlineArray<u8, 256>;

export function test_heap_errors(): bool {
  let errors = heap_errors();
  let p = kmalloc(1000); // a heap block (the slab's checks: test_slab_debug)
  kfree(p);
  capture_begin(addr_of(report_buf), 256);
  kfree(p); // double free: reported, ignored
  let n = capture_end();
  let ok = check_eq(heap_errors() - errors, 1, "double free detected");
  ok = check(text_contains(addr_of(report_buf), n, "double free"), "report says double free") && ok;
  ok = check(text_contains(addr_of(report_buf), n, "called from test_heap_errors+"), "report names the caller") && ok;
  let q = kmalloc(2000);
  let saved = load<u64>(q - 32);
  store<u64>(q - 32, 12345); // trash the size field of its header
  kfree(q);
  ok = check_eq(heap_errors() - errors, 2, "corrupted header detected") && ok;
  store<u64>(q - 32, saved);
  kfree(q);
  kfree(HEAP_BASE + 0x100008); // not a block start
  ok = check_eq(heap_errors() - errors, 3, "wild pointer detected") && ok;
  ok = check(heap_check(), "heap consistent after errors") && ok;
  return ok;
}

// ---- random operations against a model ----
const SLOTS: i32 = 512;
let slot_ptr!: InlineArray<u64, 512>;
let slot_size!: InlineArray<u64, 512>;
let slot_seed!: InlineArray<u64, 512>;
let rng: u64 = 0x2545f4914f6cdd1d;

function rand(): u64 {
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  return rng;
}

const GOLDEN: u64 = 0x9e3779b97f4a7c15;

/** The pattern byte at offset j: the same whether written as part of a word or alone. */
function byte_at(seed: u64, j: u64): u8 {
  return u8((seed + (j >> 3) * GOLDEN) >> ((j & 7) * 8));
}

function fill(p: u64, n: u64, seed: u64): void {
  let words = n >> 3;
  for (let i: u64 = 0; i < words; i++) store<u64>(p + i * 8, seed + i * GOLDEN);
  for (let j = words * 8; j < n; j++) store<u8>(p + j, byte_at(seed, j));
}

function verify(p: u64, n: u64, seed: u64): bool {
  let words = n >> 3;
  for (let i: u64 = 0; i < words; i++) if (load<u64>(p + i * 8) != seed + i * GOLDEN) return false;
  for (let j = words * 8; j < n; j++) if (load<u8>(p + j) != byte_at(seed, j)) return false;
  return true;
}

function random_size(): u64 {
  let r = rand();
  return 1 + (r >> 8) % ((r & 7) == 0 ? 8192 : 256);
}

export function test_heap_random(): bool {
  let used = kmalloc_used_bytes();
  let live = kmalloc_live_objects();
  let ok = true;
  for (let i: i32 = 0; i < SLOTS; i++) slot_ptr[i] = 0;
  for (let op: i32 = 0; op < 100000 && ok; op++) {
    let s = i32(rand() % u64(SLOTS));
    let p = slot_ptr[s];
    if (p == 0) {
      let n = random_size();
      p = kmalloc(n);
      if (p == 0) return check(false, "kmalloc failed");
      slot_ptr[s] = p;
      slot_size[s] = n;
      slot_seed[s] = rand();
      fill(p, n, slot_seed[s]);
    } else if (!verify(p, slot_size[s], slot_seed[s])) {
      ok = check(false, "contents changed");
    } else if ((rand() & 1) == 0) {
      kfree(p);
      slot_ptr[s] = 0;
    } else {
      let n = random_size();
      let q = krealloc(p, n);
      if (q == 0) return check(false, "krealloc failed");
      let keep = n < slot_size[s] ? n : slot_size[s];
      if (!verify(q, keep, slot_seed[s])) ok = check(false, "krealloc lost contents");
      slot_ptr[s] = q;
      slot_size[s] = n;
      slot_seed[s] = rand();
      fill(q, n, slot_seed[s]);
    }
  }
  ok = check(heap_check(), "heap consistent after 100k operations") && ok;
  for (let i: i32 = 0; i < SLOTS; i++) {
    if (slot_ptr[i] != 0) {
      if (!verify(slot_ptr[i], slot_size[i], slot_seed[i])) ok = check(false, "contents at the end");
      kfree(slot_ptr[i]);
      slot_ptr[i] = 0;
    }
  }
  ok = check_eq(kmalloc_used_bytes(), used, "no leak: used bytes") && ok;
  ok = check_eq(kmalloc_live_objects(), live, "no leak: live allocations") && ok;
  ok = check(heap_check(), "heap consistent at the end") && ok;
  return ok;
}

let big_blocks!: InlineArray<u64, 32>;

export function test_heap_growth(): bool {
  let used = heap_used_bytes();
  let ok = true;
  for (let i: i32 = 0; i < 32; i++) {
    big_blocks[i] = kmalloc(1024 * 1024);
    if (big_blocks[i] == 0) ok = check(false, "1 MiB allocation");
    else memset(big_blocks[i], u8(i), 1024 * 1024);
  }
  ok = check(heap_size() > 32 * 1024 * 1024, "heap grew past 32 MiB") && ok;
  for (let i: i32 = 0; i < 32; i++) {
    if (big_blocks[i] != 0 && load<u8>(big_blocks[i] + 999999) != u8(i)) ok = check(false, "contents");
    kfree(big_blocks[i]);
  }
  ok = check(kmalloc(512 * 1024 * 1024) == 0, "beyond the 256 MiB limit fails cleanly") && ok;
  ok = check_eq(heap_used_bytes(), used, "all freed") && ok;
  ok = check(heap_check(), "heap consistent") && ok;
  return ok;
}

/**
 * The heap gives memory back: grow it 24 MiB past its size, free the highest block (the top
 * shrinks at once), shrink another with krealloc, free the rest; it is back to its size and every
 * frame is back with the PMM, except the kernel table pages the growth had to create, which stay.
 */
export function test_heap_shrink(): bool {
  let size = heap_size();
  let frames = frames_free();
  let tables = vmm_table_pages();
  let used = heap_used_bytes();
  let ok = true;
  let top: i32 = 0;
  for (let i: i32 = 0; i < 24; i++) {
    big_blocks[i] = kmalloc(1024 * 1024);
    if (big_blocks[i] == 0) ok = check(false, "1 MiB allocation");
    else memset(big_blocks[i], u8(i), 1024 * 1024);
    if (big_blocks[i] > big_blocks[top]) top = i;
  }
  let grown = heap_size();
  ok = check(grown >= size + 8 * 1024 * 1024 && grown > HEAP_INITIAL_SIZE, "heap grew") && ok;
  ok = check(frames - frames_free() >= (grown - size) / PAGE_SIZE, "growth took frames") && ok;
  kfree(big_blocks[top]);
  big_blocks[top] = 0;
  ok = check(heap_size() < grown, "freeing the top block shrinks the heap") && ok;
  ok = check(heap_check(), "heap consistent after a shrink") && ok;
  for (let i: i32 = 0; i < 24; i++) {
    if (big_blocks[i] == 0) continue;
    let b = krealloc(big_blocks[i], 100); // in place: the rest is released (and maybe trimmed)
    ok = check(b == big_blocks[i], "krealloc shrinks in place") && ok;
    ok = check(load<u8>(b + 99) == u8(i), "contents after krealloc") && ok;
    kfree(b);
    big_blocks[i] = 0;
  }
  ok = check_eq(heap_size(), size, "heap back to its size") && ok;
  ok = check_eq(heap_used_bytes(), used, "all freed") && ok;
  ok = check_eq(frames_free() + (vmm_table_pages() - tables), frames, "every heap frame back with the PMM") && ok;
  ok = check(heap_check(), "heap consistent") && ok;
  return ok;
}
