// Slab allocator (Bonwick 1994, with the per-CPU magazine layer of Bonwick & Adams 2001).
//
// An object cache hands out objects of one size. Three layers:
//   1. per-CPU: each CPU has, per cache, a loaded magazine (an array of up to MAG_ROUNDS free
//      objects) and a previous one. Allocation pops from the loaded magazine, free pushes onto it:
//      the fast paths (slab_alloc_fast, slab_free_fast) are a few loads and stores with interrupts
//      off, no locks, no list walking. When the loaded magazine is empty (alloc) or full (free) it
//      is swapped with the previous one; when both are, a full (or empty) magazine is traded with
//      the depot.
//   2. depot (per cache): lists of full and empty magazines.
//   3. slab layer (per cache): slabs, each one 4 KiB frame from the PMM seen through the direct
//      map, with a header at its start (Slab) and equal objects after it; free objects of a slab
//      are linked through their first word; the header's bitmap marks which objects the slab layer
//      has handed out (to a magazine or a caller). Slabs are on a partial, a full or an empty
//      list. At most EMPTY_KEEP empty slabs stay per cache; more go back to the PMM at once.
// slab_reap() (memory pressure: the PMM calls it when it runs out, see pmm_add_reclaim; tests
// call it before they count frames) empties every magazine and the depot back into the slabs and
// gives every empty slab's frame back to the PMM.
//
// Objects live in the direct map, so kfree tells a slab object from a heap block by its address
// (kmalloc.ts). The header starts with the cache's offset in the per-CPU magazine array (the free
// fast path reads only that, and bounds it) and SLAB_MAGIC: the slow paths refuse a pointer whose
// page does not carry both. Caches 0..NUM_CLASSES-1 are the size classes behind kmalloc; others are
// object caches for one kernel type (slab_cache_create).
//
// Debug mode (slab_set_debug): the magazines are bypassed (per-CPU capacity 0, so both fast paths
// miss), every free is checked against the bitmap (a double free is reported with both callers,
// not done), a freed object is filled with POISON and remembers who freed it, and an allocation
// checks the poison is intact (a write after free is reported with the offset and the freer).
// Without debug mode the slab layer still refuses frees of pointers that are not the start of an
// object it handed out, or of objects it has back already; a double free that lands in a magazine
// is not seen (as in Bonwick's design).
//
// Concurrency: the magazine hits (slab_alloc, slab_free) touch this CPU's magazines only and run
// with interrupts off alone; everything else (the slow paths, the depot, the slabs) runs under
// the kernel lock (irq_save, docs/locking.md). Emptying or resizing every CPU's magazines
// (slab_set_debug) from one CPU races with the others' hits: tests call it only while the other
// CPUs run no kernel code that allocates; reaping (reap_cache) empties the calling CPU's
// magazines and those of CPUs that run no thread (magazines_quiet).

import { pmm_alloc, pmm_free, pmm_add_reclaim } from "./pmm";
import { p2v, v2p, PAGE_SIZE, PAGE_MASK } from "./layout";
import { heap_alloc } from "./heap";
import { Cpu, this_cpu, cpu_count, cpu_by_id } from "../sched/percpu";
import { irq_save, irq_restore, irq_save_local, irq_restore_local } from "../arch/hal";
import { kprint, put_char, log_error } from "../lib/log";
import { put_symbol } from "../lib/ksyms";
import { panic } from "../lib/panic";

export const MAX_CACHES: u64 = 32;
export const MAX_CPUS: u64 = 8;
export const NUM_CLASSES: u64 = 10;
/** The cache magazines come from (after the size classes); it has no magazines itself. */
const MAG_CACHE: u64 = 10;
/** Largest kmalloc size served by a size class; bigger ones go to the heap. */
export const SLAB_MAX_SIZE: u64 = 512;
/** Largest object of an object cache (slab_cache_create): a Thread is over 512 bytes. */
const CACHE_MAX_OBJECT: u64 = 1024;
const MAG_ROUNDS: u64 = 14; // a Magazine is 128 bytes
const EMPTY_KEEP: u64 = 1;
const SLAB_MAGIC: u32 = 0x51ab51ab;
const CC_LIMIT: u32 = 2048; // MAX_CACHES * sizeof<CpuCache>()
const POISON: u8 = 0x6b;
const HEADER: u64 = 80; // sizeof<Slab>()
const MAX_OBJS: u64 = 256; // bits in Slab.used

const CLASS_SIZES: readonly u64[] = [16, 32, 48, 64, 96, 128, 192, 256, 384, 512];
const CLASS_NAMES: readonly string[] = [
  "kmalloc-16", "kmalloc-32", "kmalloc-48", "kmalloc-64", "kmalloc-96", "kmalloc-128",
  "kmalloc-192", "kmalloc-256", "kmalloc-384", "kmalloc-512",
];

const ON_PARTIAL: u32 = 1;
const ON_FULL: u32 = 2;
const ON_EMPTY: u32 = 3;

/** At the start of every slab page. */
class Slab {
  cc_off: u32 = 0; // cache id * sizeof<CpuCache>(): where the fast path finds the CPU's magazines
  magic: u32 = 0; // SLAB_MAGIC
  free: u64 = 0; // first free object (linked through their first words)
  next: u64 = 0;
  prev: u64 = 0;
  inuse: u32 = 0; // objects handed out by the slab layer
  list: u32 = 0; // ON_*
  used!: InlineArray<u64, 5>; // bit i: object i is handed out (4 words used; the 5th pads to 80)
}

class Magazine {
  objs!: InlineArray<u64, 14>; // first: the fast paths index the magazine's address directly
  next: u64 = 0; // depot list link
  rounds: u64 = 0; // objects in it, when it is not a CPU's loaded magazine
}

/**
 * One CPU's magazines for one cache (64 bytes). The loaded magazine's rounds are kept as a pointer,
 * top, to its next free slot (objs + rounds * 8), and its end as limit (objs + MAG_ROUNDS * 8, or
 * objs in debug mode, so that both fast paths miss): a pop is `top != loaded`, a push `top < limit`.
 */
export class CpuCache {
  top: u64 = 0;
  loaded: u64 = 0; // Magazine
  limit: u64 = 0;
  prev: u64 = 0; // Magazine
  prev_rounds: u64 = 0;
  pad1: u64 = 0;
  pad2: u64 = 0;
  pad3: u64 = 0;
}

export class SlabCache {
  id: u64 = 0;
  name: string = "";
  size: u64 = 0; // object size (a multiple of 16)
  per_slab: u64 = 0;
  partial: u64 = 0;
  full: u64 = 0;
  empty: u64 = 0;
  empty_count: u64 = 0;
  slabs: u64 = 0; // pages held
  inuse: u64 = 0; // objects out of the slab layer (with callers or in magazines)
  depot_full: u64 = 0;
  depot_empty: u64 = 0;
  depot_rounds: u64 = 0; // objects in depot magazines
  grows: u64 = 0;
  reaped: u64 = 0; // slabs given back
}

let caches!: InlineArray<u64, 32>;
let cache_count: u64 = 0;
let cpu_cache_mem!: InlineArray<u64, 2048>; // MAX_CPUS * MAX_CACHES CpuCache records of 64 bytes
let debug: bool = false;
let errors: u64 = 0;
let busy: u64 = 0; // inside the slab layer: the PMM's reclaim call must not reap now

function cache_of(id: u64): SlabCache {
  return changetype<SlabCache>(caches[i32(id)]);
}

function slab_at(s: u64): Slab {
  return changetype<Slab>(s);
}

/** This CPU's magazines for cache id. @inline */
function cpu_cache(id: u64): CpuCache {
  return changetype<CpuCache>(this_cpu().slab + id * sizeof<CpuCache>());
}

function cc_rounds(cc: CpuCache): u64 {
  return (cc.top - cc.loaded) / 8;
}

/** Makes m, holding n rounds, cc's loaded magazine. */
function cc_load(cc: CpuCache, m: u64, n: u64): void {
  cc.loaded = m;
  cc.top = m + n * 8;
  cc.limit = m + (debug ? 0 : MAG_ROUNDS * 8);
}

/** CPU cpu's magazines for cache id. */
function cc_at(cpu: u64, id: u64): CpuCache {
  return changetype<CpuCache>(addr_of(cpu_cache_mem) + (cpu * MAX_CACHES + id) * sizeof<CpuCache>());
}

/** The size class (cache id) for a kmalloc of n bytes, 1 <= n <= SLAB_MAX_SIZE. @inline */
export function size_class(n: u64): u64 {
  if (n <= 64) return n <= 16 ? 0 : n <= 32 ? 1 : n <= 48 ? 2 : 3;
  if (n <= 192) return n <= 96 ? 4 : n <= 128 ? 5 : 6;
  return n <= 256 ? 7 : n <= 384 ? 8 : 9;
}

// ---- slab layer (interrupts off) ----

function list_head(c: SlabCache, list: u32): usize {
  let off = list == ON_PARTIAL ? offsetof<SlabCache>("partial") : list == ON_FULL ? offsetof<SlabCache>("full") : offsetof<SlabCache>("empty");
  return changetype<u64>(c) + off;
}

function list_add(c: SlabCache, s: u64, list: u32): void {
  let head = list_head(c, list);
  let h = slab_at(s);
  h.list = list;
  h.prev = 0;
  h.next = load<u64>(head);
  if (h.next != 0) slab_at(h.next).prev = s;
  store<u64>(head, s);
  if (list == ON_EMPTY) c.empty_count++;
}

function list_del(c: SlabCache, s: u64): void {
  let h = slab_at(s);
  if (h.prev != 0) slab_at(h.prev).next = h.next;
  else store<u64>(list_head(c, h.list), h.next);
  if (h.next != 0) slab_at(h.next).prev = h.prev;
  if (h.list == ON_EMPTY) c.empty_count--;
  h.list = 0;
}

/** A fresh slab for c from one PMM frame, on the empty list; false when no frame is left. */
function grow(c: SlabCache): bool {
  let pa = pmm_alloc();
  if (pa == 0) {
    reap_all(); // memory pressure: give back what the caches hold, then try once more
    pa = pmm_alloc();
    if (pa == 0) return false;
  }
  let s = p2v(pa);
  memset(s, 0, HEADER);
  let h = slab_at(s);
  h.magic = SLAB_MAGIC;
  h.cc_off = u32(c.id * sizeof<CpuCache>());
  let prev: u64 = 0;
  for (let i = c.per_slab; i > 0; i--) { // link the objects, lowest address first
    let o = s + HEADER + (i - 1) * c.size;
    store<u64>(o, prev);
    if (debug) poison(o, c.size, 0);
    prev = o;
  }
  h.free = prev;
  c.slabs++;
  c.grows++;
  list_add(c, s, ON_EMPTY);
  return true;
}

function poison(o: u64, size: u64, freer: u64): void {
  store<u64>(o + 8, freer);
  memset(o + 16, POISON, size - 16);
}

/** Offset of the first byte after 16 that is not POISON, or 0 if the poison is intact. */
function poison_broken(o: u64, size: u64): u64 {
  for (let off: u64 = 16; off < size; off++) if (load<u8>(o + off) != POISON) return off;
  return 0;
}

/** One object from c's slabs, or 0. */
function slab_take(c: SlabCache, caller: u64): u64 {
  let s = c.partial;
  if (s == 0) {
    if (c.empty == 0 && !grow(c)) return 0;
    s = c.empty;
  }
  let h = slab_at(s);
  let o = h.free;
  h.free = load<u64>(o);
  let i = (o - s - HEADER) / c.size;
  h.used[i32(i >> 6)] |= u64(1) << (i & 63);
  h.inuse++;
  c.inuse++;
  let to = h.inuse == u32(c.per_slab) ? ON_FULL : ON_PARTIAL;
  if (h.list != to) {
    list_del(c, s);
    list_add(c, s, to);
  }
  if (debug) {
    let bad = poison_broken(o, c.size);
    if (bad != 0) {
      errors++;
      kprint(`[ERROR] slab: ${c.name} object ${hex(o)} was written after it was freed (byte ${bad}); freed by `);
      put_symbol(load<u64>(o, 8));
      put_char(10);
    }
    store<u64>(o + 8, 0);
  }
  return o;
}

function report(what: string, p: u64, caller: u64): void {
  errors++;
  kprint(`[ERROR] slab: kfree of ${hex(p)}: not an object (${what}), called from `);
  put_symbol(caller);
  put_char(10);
}

/** Gives object o back to its slab; refuses (and reports) anything that is not a live object. */
function slab_put(c: SlabCache, o: u64, caller: u64): void {
  let s = o & ~PAGE_MASK;
  let h = slab_at(s);
  let off = o - s;
  if (!slab_ok(h, c) || off < HEADER || (off - HEADER) % c.size != 0 || (off - HEADER) / c.size >= c.per_slab) {
    report(c.name, o, caller); // not the start of an object of c
    return;
  }
  let i = (off - HEADER) / c.size;
  let bit = u64(1) << (i & 63);
  if ((h.used[i32(i >> 6)] & bit) == 0) {
    errors++;
    kprint(`[ERROR] slab: double free of ${hex(o)} (${c.name}), called from `);
    put_symbol(caller);
    if (debug) {
      kprint(`; first freed by `);
      put_symbol(load<u64>(o, 8));
    }
    put_char(10);
    return;
  }
  h.used[i32(i >> 6)] &= ~bit;
  if (debug) poison(o, c.size, caller);
  store<u64>(o, h.free);
  h.free = o;
  h.inuse--;
  c.inuse--;
  let to = h.inuse == 0 ? ON_EMPTY : ON_PARTIAL;
  if (h.list == to) return;
  list_del(c, s);
  if (to == ON_EMPTY && c.empty_count >= EMPTY_KEEP) {
    release_slab(c, s);
    return;
  }
  list_add(c, s, to);
}

function slab_ok(h: Slab, c: SlabCache): bool {
  return h.magic == SLAB_MAGIC && u64(h.cc_off) == c.id * sizeof<CpuCache>();
}

function release_slab(c: SlabCache, s: u64): void {
  slab_at(s).magic = 0;
  slab_at(s).cc_off = CC_LIMIT;
  c.slabs--;
  c.reaped++;
  pmm_free(v2p(s));
}

// ---- magazine and depot layers (interrupts off) ----

function mag(m: u64): Magazine {
  return changetype<Magazine>(m);
}

/** Empties magazine m (n rounds) into the slab layer. */
function mag_drain(c: SlabCache, m: u64, n: u64): void {
  for (let i: u64 = 0; i < n; i++) slab_put(c, mag(m).objs[i32(i)], 0);
}

/** A new empty magazine (from the magazine cache's slab layer, as in Bonwick's design), or 0. */
function mag_new(): u64 {
  let m = slab_take(cache_of(MAG_CACHE), 0);
  if (m != 0) memset(m, 0, sizeof<Magazine>());
  return m;
}

function mag_free(m: u64): void {
  slab_put(cache_of(MAG_CACHE), m, 0);
}

/** Loaded magazine empty. @noinline */
function alloc_slow(id: u64): u64 {
  let caller = load<u64>(frame_address(), 8);
  let flags = irq_save();
  busy++;
  let c = cache_of(id);
  let cc = cpu_cache(id);
  let o: u64 = 0;
  if (!debug) cc_refill(cc);
  let on = cc.limit != cc.loaded; // magazines in use (not debug mode, and there are some)
  if (on && cc.prev_rounds != 0) { // swap: the previous magazine is full
    let m = cc.loaded;
    cc_load(cc, cc.prev, cc.prev_rounds);
    cc.prev = m;
    cc.prev_rounds = 0;
  } else if (on && c.depot_full != 0) { // trade the empty previous for a full one
    let full = c.depot_full;
    c.depot_full = mag(full).next;
    c.depot_rounds -= mag(full).rounds;
    mag(cc.prev).next = c.depot_empty;
    c.depot_empty = cc.prev;
    cc.prev = cc.loaded;
    cc.prev_rounds = 0;
    cc_load(cc, full, mag(full).rounds);
  } else {
    o = slab_take(c, caller);
  }
  if (o == 0 && cc.top != cc.loaded) {
    cc.top -= 8;
    o = load<u64>(cc.top);
  }
  busy--;
  irq_restore(flags);
  return o;
}

/** Loaded magazine full (or debug mode). @noinline */
function free_slow(o: u64): void {
  let caller = load<u64>(frame_address(), 8);
  let flags = irq_save();
  busy++;
  let h = slab_at(o & ~PAGE_MASK);
  let id = u64(h.cc_off) / sizeof<CpuCache>();
  if (h.magic != SLAB_MAGIC || id >= cache_count) {
    report("no such cache", o, caller);
  } else {
    let c = cache_of(id);
    let cc = cpu_cache(id);
    if (!debug) cc_refill(cc);
    if (cc.limit == cc.loaded) { // debug mode, or no magazine to be had
      slab_put(c, o, caller);
    } else {
      if (cc.prev_rounds == 0) { // swap: the previous magazine is empty
        let m = cc.loaded;
        let n = cc_rounds(cc);
        cc_load(cc, cc.prev, 0);
        cc.prev = m;
        cc.prev_rounds = n;
      } else { // both full: the previous goes to the depot, an empty one comes back
        let e = c.depot_empty;
        if (e != 0) c.depot_empty = mag(e).next;
        else e = mag_new();
        if (e != 0) {
          mag(cc.prev).rounds = cc.prev_rounds;
          mag(cc.prev).next = c.depot_full;
          c.depot_full = cc.prev;
          c.depot_rounds += cc.prev_rounds;
          cc.prev = cc.loaded;
          cc.prev_rounds = cc_rounds(cc);
          cc_load(cc, e, 0);
        }
      }
      if (cc.top < cc.limit) {
        store<u64>(cc.top, o);
        cc.top += 8;
      } else {
        slab_put(c, o, caller); // no magazine to be had
      }
    }
  }
  busy--;
  irq_restore(flags);
}

/**
 * An object from cache id (interrupts as the caller had them). Inlined: with a constant id the
 * hit is the irq_save_local, this_cpu, and a pop. The hits touch this CPU's magazines only, so
 * they need interrupts off but not the kernel lock (docs/locking.md); the slow paths take it. @inline
 */
export function slab_alloc(id: u64): u64 {
  let flags = irq_save_local();
  let cc = cpu_cache(id);
  let t = cc.top;
  if (t != cc.loaded) {
    t -= 8;
    cc.top = t;
    let o = load<u64>(t);
    irq_restore_local(flags);
    return o;
  }
  irq_restore_local(flags);
  return alloc_slow(id);
}

/** Frees an object in the direct map (kfree decides that); its page's header names the cache. @inline */
export function slab_free(o: u64): void {
  let off = load<u32>(o & ~PAGE_MASK);
  let flags = irq_save_local();
  if (off < CC_LIMIT) {
    let cc = changetype<CpuCache>(this_cpu().slab + off);
    let t = cc.top;
    if (t < cc.limit) {
      store<u64>(t, o);
      cc.top = t + 8;
      irq_restore_local(flags);
      return;
    }
  }
  irq_restore_local(flags);
  free_slow(o);
}

/** slab_alloc, zero-filled (what `new` gives for a class whose fields all start at zero). */
export function slab_zalloc(id: u64): u64 {
  let o = slab_alloc(id);
  if (o != 0) memset(o, 0, cache_of(id).size);
  return o;
}

/** Size of the objects of the cache holding o (a slab object). */
export function slab_object_size(o: u64): u64 {
  let h = slab_at(o & ~PAGE_MASK);
  let id = u64(h.cc_off) / sizeof<CpuCache>();
  return h.magic == SLAB_MAGIC && id < cache_count ? cache_of(id).size : 0;
}

// ---- caches ----

/** A new object cache for objects of `size` bytes (at most SLAB_MAX_SIZE); its id. */
export function slab_cache_create(name: string, size: u64): u64 {
  if (cache_count >= MAX_CACHES || size == 0 || size > CACHE_MAX_OBJECT) panic(`slab: cannot create cache ${name} (${size} bytes)`);
  let c = changetype<SlabCache>(heap_alloc(sizeof<SlabCache>(), 0));
  if (changetype<u64>(c) == 0) panic(`slab: out of memory creating ${name}`);
  memset(changetype<u64>(c), 0, sizeof<SlabCache>());
  c.id = cache_count;
  c.name = name;
  c.size = (size + 15) & ~u64(15);
  c.per_slab = (PAGE_SIZE - HEADER) / c.size;
  if (c.per_slab > MAX_OBJS) c.per_slab = MAX_OBJS;
  caches[i32(cache_count)] = changetype<u64>(c);
  cache_count++;
  if (cache_count > MAG_CACHE + 1) give_magazines(c); // slab_init does it for the first ones
  return c.id;
}

/**
 * Two empty magazines for a CPU cache that has none. Without them (no memory) both fast paths
 * miss and the slow paths use the slab layer directly; they try again next time.
 */
function cc_refill(cc: CpuCache): void {
  if (cc.loaded != 0) return;
  let m = mag_new();
  let p = mag_new();
  if (m == 0 || p == 0) {
    if (m != 0) mag_free(m);
    if (p != 0) mag_free(p);
    return;
  }
  cc_load(cc, m, 0);
  cc.prev = p;
  cc.prev_rounds = 0;
}

/** Magazines for every CPU of c (the magazine cache has none: both its fast paths miss). */
function give_magazines(c: SlabCache): void {
  for (let cpu: u64 = 0; cpu < MAX_CPUS; cpu++) cc_refill(cc_at(cpu, c.id));
}

/** Points CPU `index`'s record at its magazines (an AP's, before it starts; boot CPU: slab_init). */
export function slab_cpu_init(c: Cpu, index: u64): void {
  c.slab = changetype<u64>(cc_at(index, 0));
}

export function slab_init(): void {
  if (sizeof<Slab>() != HEADER || sizeof<CpuCache>() != 64 || sizeof<Magazine>() != 16 + MAG_ROUNDS * 8 || MAX_CACHES * sizeof<CpuCache>() != u64(CC_LIMIT)) panic(`slab: structure sizes changed`);
  this_cpu().slab = changetype<u64>(cc_at(0, 0));
  for (let i: u64 = 0; i < NUM_CLASSES; i++) slab_cache_create(CLASS_NAMES[i32(i)], CLASS_SIZES[i32(i)]);
  if (slab_cache_create("magazine", sizeof<Magazine>()) != MAG_CACHE) panic(`slab: magazine cache id`);
  for (let i: u64 = 0; i < NUM_CLASSES; i++) give_magazines(cache_of(i));
  pmm_add_reclaim(reclaim);
}

/** Empties every magazine of c (this CPU's and the depot's) into the slabs, frees empty slabs. */
/**
 * Whether CPU cpu's magazines may be emptied from here (under the kernel lock): they are ours, or
 * that CPU runs no thread (none there could be in a magazine hit: its idle loop allocates nothing
 * and its interrupts wait for the kernel lock), or it does not run threads at all.
 */
function magazines_quiet(cpu: u64): bool {
  if (cpu == this_cpu().id || cpu >= cpu_count()) return true;
  let c = cpu_by_id(cpu);
  return c.current == c.idle;
}

/** Whether slab_reap would reach every CPU's magazines now (no other CPU runs a thread). */
export function slab_all_quiet(): bool {
  for (let cpu: u64 = 0; cpu < cpu_count(); cpu++) if (!magazines_quiet(cpu)) return false;
  return true;
}

function reap_cache(c: SlabCache): void {
  for (let cpu: u64 = 0; cpu < MAX_CPUS && c.id != MAG_CACHE; cpu++) {
    if (!magazines_quiet(cpu)) continue;
    let cc = cc_at(cpu, c.id);
    if (cc.loaded == 0) continue;
    mag_drain(c, cc.loaded, cc_rounds(cc));
    mag_drain(c, cc.prev, cc.prev_rounds);
    // The magazines go too (give_magazines brings fresh ones after the magazine cache is
    // reaped): magazines move between CPUs and the depot, so keeping "the CPU's" would pin
    // whichever magazine slabs they happen to be in.
    mag_free(cc.loaded);
    mag_free(cc.prev);
    cc.loaded = 0;
    cc.top = 0;
    cc.limit = 0;
    cc.prev = 0;
    cc.prev_rounds = 0;
  }
  while (c.depot_full != 0) {
    let m = c.depot_full;
    c.depot_full = mag(m).next;
    mag_drain(c, m, mag(m).rounds);
    mag(m).next = c.depot_empty;
    c.depot_empty = m;
  }
  c.depot_rounds = 0;
  while (c.depot_empty != 0) {
    let m = c.depot_empty;
    c.depot_empty = mag(m).next;
    mag_free(m);
  }
  while (c.empty != 0) {
    let s = c.empty;
    list_del(c, s);
    release_slab(c, s);
  }
}

function reap_all(): void {
  for (let i: u64 = 0; i < cache_count; i++) if (i != MAG_CACHE) reap_cache(cache_of(i));
  reap_cache(cache_of(MAG_CACHE)); // last: the others have just given their magazines back
  for (let i: u64 = 0; i < cache_count; i++) if (i != MAG_CACHE) give_magazines(cache_of(i));
}

/** The PMM found no free frame: give back what the caches hold, unless we are inside them. */
function reclaim(): void {
  if (busy == 0) reap_all();
}

/** Gives every frame the caches hold without a live object back to the PMM. */
export function slab_reap(): void {
  let flags = irq_save();
  reap_all();
  irq_restore(flags);
}

/** Poisons every free object of every slab (debug mode starts: later checks need the pattern). */
function poison_free_objects(): void {
  for (let i: u64 = 0; i < cache_count; i++) {
    let c = cache_of(i);
    for (let list: u32 = ON_PARTIAL; list <= ON_EMPTY; list++) {
      for (let s = load<u64>(list_head(c, list)); s != 0; s = slab_at(s).next) {
        for (let o = slab_at(s).free; o != 0; o = load<u64>(o)) poison(o, c.size, 0);
      }
    }
  }
}

/**
 * Debug mode on or off (see the header). Magazines are emptied first, so every object the slab
 * layer thinks is handed out is with a caller.
 */
export function slab_set_debug(on: bool): void {
  let flags = irq_save();
  reap_all();
  debug = on;
  if (on) poison_free_objects();
  for (let id: u64 = 0; id < cache_count; id++) {
    if (id == MAG_CACHE) continue;
    for (let cpu: u64 = 0; cpu < MAX_CPUS; cpu++) {
      let cc = cc_at(cpu, id);
      if (cc.loaded != 0) cc_load(cc, cc.loaded, 0); // empty after reap_all
    }
  }
  irq_restore(flags);
}

/** Objects of cache id with callers (out of the slab layer and not in a magazine). */
export function slab_live(id: u64): u64 {
  let flags = irq_save();
  let c = cache_of(id);
  let n = c.inuse - c.depot_rounds;
  for (let cpu: u64 = 0; cpu < MAX_CPUS; cpu++) {
    let cc = cc_at(cpu, id);
    n -= cc_rounds(cc) + cc.prev_rounds;
  }
  irq_restore(flags);
  return n;
}

/** Live objects over every cache but the magazines' (whose number changes with reaping). */
export function slab_live_total(): u64 {
  let n: u64 = 0;
  for (let i: u64 = 0; i < cache_count; i++) if (i != MAG_CACHE) n += slab_live(i);
  return n;
}

/** Bytes in live objects over every cache but the magazines'. */
export function slab_live_bytes(): u64 {
  let n: u64 = 0;
  for (let i: u64 = 0; i < cache_count; i++) if (i != MAG_CACHE) n += slab_live(i) * cache_of(i).size;
  return n;
}

/** Pages held by every cache. */
export function slab_pages(): u64 {
  let n: u64 = 0;
  for (let i: u64 = 0; i < cache_count; i++) n += cache_of(i).slabs;
  return n;
}

export function slab_errors(): u64 {
  return errors;
}

export function slab_cache_count(): u64 {
  return cache_count;
}

/** Walks every slab of every cache: headers, counts, free lists against the bitmaps. */
export function slab_check(): bool {
  for (let i: u64 = 0; i < cache_count; i++) {
    let c = cache_of(i);
    let slabs: u64 = 0;
    let inuse: u64 = 0;
    for (let list: u32 = ON_PARTIAL; list <= ON_EMPTY; list++) {
      let s = load<u64>(list_head(c, list));
      while (s != 0) {
        let h = slab_at(s);
        if (!slab_ok(h, c) || h.list != list || u64(h.inuse) > c.per_slab) return false;
        let free: u64 = 0;
        let o = h.free;
        while (o != 0 && free <= c.per_slab) {
          let k = (o - s - HEADER) / c.size;
          if ((o & ~PAGE_MASK) != s || (h.used[i32(k >> 6)] & (u64(1) << (k & 63))) != 0) return false;
          free++;
          o = load<u64>(o);
        }
        if (free + u64(h.inuse) != c.per_slab) return false;
        if ((list == ON_FULL) != (h.inuse == u32(c.per_slab)) || (list == ON_EMPTY) != (h.inuse == 0)) return false;
        slabs++;
        inuse += u64(h.inuse);
        s = h.next;
      }
    }
    if (slabs != c.slabs || inuse != c.inuse) return false;
  }
  return true;
}

export function slab_stats_log(): void {
  for (let i: u64 = 0; i < cache_count; i++) {
    let c = cache_of(i);
    kprint(`# slab ${c.name}: ${c.size} B, ${c.slabs} pages, ${slab_live(i)} live, ${c.grows} grown, ${c.reaped} reaped\n`);
  }
}
