// Self-tests of the slab allocator (mm/slab.ts): random operations against a model, debug-mode
// checks (double free, write after free, bad pointers), and pages going back to the PMM (reaping,
// and the PMM's reclaim call when it runs out).

import { check, check_eq, frames_free, text_contains } from "./ktest";
import { capture_begin, capture_end } from "../lib/log";
import { kmalloc, kfree, kmalloc_live_objects } from "../mm/kmalloc";
import {
  slab_cache_create, slab_alloc, slab_free, slab_live, slab_check, slab_errors, slab_set_debug,
  slab_pages, slab_reap, SLAB_MAX_SIZE,
} from "../mm/slab";
import { pmm_alloc, pmm_free, pmm_free_frames } from "../mm/pmm";
import { p2v } from "../mm/layout";
import { irq_save, irq_restore } from "../arch/hal";

const SLOTS: i32 = 1024;
let slot_ptr!: InlineArray<u64, 1024>;
let slot_size!: InlineArray<u64, 1024>;
let slot_tag!: InlineArray<u64, 1024>;
let rng: u64 = 0x9e3779b97f4a7c15;
let obj_cache: u64 = 0;

function rand(): u64 {
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  return rng;
}

/** Writes the slot's tag into every word of its object (at least one word). */
function stamp(p: u64, n: u64, tag: u64): void {
  for (let off: u64 = 0; off + 8 <= n; off += 8) store<u64>(p + off, tag ^ off);
}

function stamped(p: u64, n: u64, tag: u64): bool {
  for (let off: u64 = 0; off + 8 <= n; off += 8) if (load<u64>(p + off) != (tag ^ off)) return false;
  return true;
}

/** Sizes 8..SLAB_MAX_SIZE; slot sizes 0 mean "from the object cache" (200-byte objects). */
function random_size(): u64 {
  let r = rand();
  if ((r & 15) == 0) return 0;
  return 8 + (r >> 8) % (SLAB_MAX_SIZE - 7);
}

/**
 * 100k random allocations and frees over every size class and an object cache, against a model
 * (the slot table): every live object keeps its contents, no two live objects overlap (each
 * stamps its own tag over all of its words), the slab layer's lists and bitmaps agree after, and
 * at the end every object and every page is back (live counts and free frames as at the start).
 */
export function test_slab_model(): bool {
  if (obj_cache == 0) obj_cache = slab_cache_create("test-200", 200);
  let frames = frames_free();
  let live = kmalloc_live_objects();
  let ok = true;
  for (let i: i32 = 0; i < SLOTS; i++) slot_ptr[i] = 0;
  for (let op: i32 = 0; op < 100000 && ok; op++) {
    let s = i32(rand() % u64(SLOTS));
    let p = slot_ptr[s];
    if (p != 0) {
      let n = slot_size[s] == 0 ? 200 : slot_size[s];
      if (!stamped(p, n, slot_tag[s])) ok = check(false, "an object's contents changed while it was live");
      if (slot_size[s] == 0) slab_free(p);
      else kfree(p);
      slot_ptr[s] = 0;
      continue;
    }
    let n = random_size();
    p = n == 0 ? slab_alloc(obj_cache) : kmalloc(n);
    if (p == 0) return check(false, "allocation failed");
    if ((p & 15) != 0) ok = check(false, "16-byte aligned");
    slot_ptr[s] = p;
    slot_size[s] = n;
    slot_tag[s] = rand();
    stamp(p, n == 0 ? 200 : n, slot_tag[s]);
  }
  ok = check(slab_check(), "slab lists and bitmaps consistent after 100k operations") && ok;
  for (let i: i32 = 0; i < SLOTS; i++) {
    if (slot_ptr[i] == 0) continue;
    let n = slot_size[i] == 0 ? 200 : slot_size[i];
    if (!stamped(slot_ptr[i], n, slot_tag[i])) ok = check(false, "contents at the end");
    if (slot_size[i] == 0) slab_free(slot_ptr[i]);
    else kfree(slot_ptr[i]);
    slot_ptr[i] = 0;
  }
  ok = check_eq(slab_live(obj_cache), 0, "object cache: no live object left") && ok;
  ok = check_eq(kmalloc_live_objects(), live, "no leak: live allocations") && ok;
  ok = check_eq(slab_errors(), 0, "no slab errors") && ok;
  ok = check_eq(frames_free(), frames, "every slab page back with the PMM") && ok;
  ok = check(slab_check(), "slab consistent at the end") && ok;
  return ok;
}

let report_buf!: InlineArray<u8, 512>;

/**
 * Debug mode: a double free is reported with both callers and not done; a write into a freed
 * object is reported when the object is next handed out; a pointer into the middle of an object
 * is refused. (Without debug mode the magazines take what they are given, as in Bonwick's design.)
 */
export function test_slab_debug(): bool {
  let errors = slab_errors();
  slab_set_debug(true);
  let p = kmalloc(40);
  kfree(p);
  capture_begin(addr_of(report_buf), 512);
  kfree(p);
  let n = capture_end();
  let ok = check_eq(slab_errors() - errors, 1, "double free detected");
  ok = check(text_contains(addr_of(report_buf), n, "double free") && text_contains(addr_of(report_buf), n, "kmalloc-48"), "report says double free, names the cache") && ok;
  ok = check(text_contains(addr_of(report_buf), n, "called from test_slab_debug+") && text_contains(addr_of(report_buf), n, "first freed by test_slab_debug+"), "report names both callers") && ok;

  let q = kmalloc(100);
  kfree(q);
  store<u8>(q + 50, 1); // use after free
  capture_begin(addr_of(report_buf), 512);
  let r = kmalloc(100); // LIFO: the same object comes back, and its poison is checked
  n = capture_end();
  ok = check(r == q, "the freed object comes back first") && ok;
  ok = check_eq(slab_errors() - errors, 2, "write after free detected") && ok;
  ok = check(text_contains(addr_of(report_buf), n, "written after it was freed (byte 50)"), "report names the byte") && ok;
  kfree(r);

  let s = kmalloc(64);
  kfree(s + 16); // not an object start
  ok = check_eq(slab_errors() - errors, 3, "pointer into an object refused") && ok;
  kfree(s);
  slab_set_debug(false);
  ok = check(slab_check(), "slab consistent after the errors") && ok;
  return ok;
}

let many!: InlineArray<u64, 8192>;

/**
 * Caches shrink: 8192 objects of 256 bytes take 512+ pages; freed, they sit in magazines and
 * slabs until memory runs short. Take every free frame from the PMM: when it runs out it asks the
 * caches (pmm_set_reclaim), which give their pages back, so more frames come out than were free.
 * Then everything goes back and the frame count is as at the start.
 */
export function test_slab_shrink(): bool {
  let frames = frames_free();
  let ok = true;
  for (let i: i32 = 0; i < 8192; i++) {
    many[i] = kmalloc(256);
    if (many[i] == 0) return check(false, "kmalloc(256)");
  }
  ok = check(slab_pages() >= 512, "8192 x 256 bytes hold at least 512 pages") && ok;
  for (let i: i32 = 0; i < 8192; i++) kfree(many[i]);
  let held = slab_pages();
  let free_now = pmm_free_frames();
  // Take every frame: each holds the address of the previous one (a list through the direct map).
  let list: u64 = 0;
  let taken: u64 = 0;
  let irq = irq_save(); // nothing else may allocate while no frame is free
  while (true) {
    let pa = pmm_alloc();
    if (pa == 0) break;
    store<u64>(p2v(pa), list);
    list = pa;
    taken++;
  }
  let shrunk = slab_pages();
  while (list != 0) {
    let next = load<u64>(p2v(list));
    pmm_free(list);
    list = next;
  }
  irq_restore(irq);
  ok = check(taken > free_now, "the PMM got pages back from the caches when it ran out") && ok;
  ok = check(shrunk < held, "caches shrank under memory pressure") && ok;
  slab_reap();
  ok = check_eq(frames_free(), frames, "every frame back") && ok;
  ok = check(slab_check(), "slab consistent") && ok;
  return ok;
}
