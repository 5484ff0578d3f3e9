// The file system: an in-memory tree (a ramfs) filled at boot from the initial ramdisk, a ustar
// archive (fs/tar.ts, fs/initrd.ts).
//
// A node is a directory (children on a list) or a file of `size` bytes. A file from the archive
// starts as a view of the archive's bytes (read-only storage); its first write, or its first
// shared mapping, turns it into pages: one frame per 4 KiB (a page array, grown by doubling; a 0
// entry is a hole that reads as zeros). Pages are what a shared mmap maps into address spaces
// (mm/vma.ts), so the frames of a file stay put while it lives: writing never moves them.
//
// Lifetime: a node counts its open files (`opens`) and mappings (`maps`). fs_unlink takes it out
// of its directory; its pages and the node itself are freed when the last open file and the last
// mapping are gone. fs_truncate drops the pages too, unless the file is mapped (then the size
// goes to 0 and the frames stay with the mappings until the node goes).
// Open files (OpenFile: node, offset, flags) belong to a process's descriptor table; the system
// calls are in syscall/fs_syscalls.ts. Everything here runs with interrupts off (the file system
// calls are not preemptible, page faults run with interrupts off), which is its lock.

import { tar_first, tar_next, tar_is_dir, tar_is_file, tar_name, tar_name_len, tar_size, tar_data } from "./tar";
import { kmalloc, kzalloc, kfree } from "../mm/kmalloc";
import { pmm_alloc_zeroed, pmm_free } from "../mm/pmm";
import { p2v, PAGE_SIZE, PAGE_MASK } from "../mm/layout";
import { NAME_MAX } from "../abi/fs";

export const MAX_FILE: u64 = 16 * 1024 * 1024; // bytes of one file (and of one shared-memory object)

export class FsNode {
  parent: u64 = 0; // 0 once unlinked
  children: u64 = 0; // first child (directories)
  sibling: u64 = 0; // next child of the parent
  is_dir: bool = false;
  paged: bool = false; // storage is `pages`, else the archive bytes at `data`
  name_len: u64 = 0;
  data: u64 = 0;
  size: u64 = 0;
  pages: u64 = 0; // kmalloc'd array of frame addresses (0: a hole)
  slots: u64 = 0; // entries in `pages`
  opens: u64 = 0;
  maps: u64 = 0;
  name!: InlineArray<u8, 60>;
}

export class OpenFile {
  node: u64 = 0;
  offset: u64 = 0;
  flags: u64 = 0;
}

let root: u64 = 0;
let files: u64 = 0; // file nodes alive
let file_pages: u64 = 0; // frames held by files

function node(a: u64): FsNode {
  return changetype<FsNode>(a);
}

function name_addr(n: u64): u64 {
  return n + offsetof<FsNode>("name");
}

/** The child of dir named [name, name+len), or 0. */
function child(dir: u64, name: u64, len: u64): u64 {
  for (let c = node(dir).children; c != 0; c = node(c).sibling) {
    if (node(c).name_len == len && memcmp(name_addr(c), name, len) == 0) return c;
  }
  return 0;
}

function new_node(dir: u64, name: u64, len: u64, is_dir: bool): u64 {
  if (len == 0 || len > NAME_MAX) return 0;
  let n = kzalloc(sizeof<FsNode>());
  if (n == 0) return 0;
  node(n).is_dir = is_dir;
  node(n).name_len = len;
  memcpy(name_addr(n), name, len);
  node(n).parent = dir;
  node(n).sibling = node(dir).children;
  node(dir).children = n;
  if (!is_dir) files++;
  return n;
}

/**
 * Walks the path [p, p+len) from the root. With `create_last`, a missing last component is
 * created (a file, or a directory with `dir`). Returns the node or 0. Components are separated by
 * '/'; empty ones and a leading '/' are skipped; "." and ".." are not special.
 */
function walk(p: u64, len: u64, create_last: bool, dir: bool): u64 {
  let cur = root;
  let i: u64 = 0;
  while (i < len) {
    while (i < len && load<u8>(p + i) == 47) i++;
    if (i >= len) break;
    let start = i;
    while (i < len && load<u8>(p + i) != 47) i++;
    if (!node(cur).is_dir) return 0;
    let next = child(cur, p + start, i - start);
    if (next == 0) {
      let last = true;
      for (let j = i; j < len; j++) if (load<u8>(p + j) != 47) last = false;
      if (!create_last || !last) return 0;
      next = new_node(cur, p + start, i - start, dir);
      if (next == 0) return 0;
    }
    cur = next;
  }
  return cur;
}

/** Fills the tree from the archive [start, end); false if the archive is empty or bad. */
export function fs_init(start: u64, end: u64): bool {
  root = kzalloc(sizeof<FsNode>());
  if (root == 0) return false;
  node(root).is_dir = true;
  let h = tar_first(start, end);
  if (h == 0) return false;
  for (; h != 0; h = tar_next(h, end)) {
    if (tar_is_dir(h)) {
      if (walk(tar_name(h), tar_name_len(h), true, true) == 0) return false;
    } else if (tar_is_file(h)) {
      let n = walk(tar_name(h), tar_name_len(h), true, false);
      if (n == 0 || node(n).is_dir || tar_data(h) + tar_size(h) > end) return false;
      node(n).data = tar_data(h);
      node(n).size = tar_size(h);
    }
  }
  return true;
}

/** The node at path [p, p+len), or 0. */
export function fs_lookup(p: u64, len: u64): u64 {
  return root == 0 ? 0 : walk(p, len, false, false);
}

/** The file at path, created empty if missing (its directory must exist); 0 if impossible. */
export function fs_create(p: u64, len: u64): u64 {
  return root == 0 ? 0 : walk(p, len, true, false);
}

export function fs_is_dir(n: u64): bool {
  return node(n).is_dir;
}

export function fs_size(n: u64): u64 {
  return node(n).size;
}

/** The archive bytes of a file never written (contiguous: what spawn loads), else 0. */
export function fs_contiguous(n: u64): u64 {
  return node(n).paged ? 0 : node(n).data;
}

/** Grows the page array to hold at least `count` entries. */
function grow_slots(f: FsNode, count: u64): bool {
  if (count <= f.slots) return true;
  let slots = f.slots == 0 ? 4 : f.slots;
  while (slots < count) slots *= 2;
  let a = kzalloc(slots * 8);
  if (a == 0) return false;
  if (f.slots != 0) {
    memcpy(a, f.pages, f.slots * 8);
    kfree(f.pages);
  }
  f.pages = a;
  f.slots = slots;
  return true;
}

/** Turns an archive-backed file into pages (copying its bytes); false when out of memory. */
function make_paged(n: u64): bool {
  let f = node(n);
  if (f.paged) return true;
  let count = (f.size + PAGE_SIZE - 1) / PAGE_SIZE;
  if (!grow_slots(f, count)) return false;
  for (let i: u64 = 0; i < count; i++) {
    let pa = pmm_alloc_zeroed();
    if (pa == 0) {
      drop_pages(f);
      return false;
    }
    file_pages++;
    store<u64>(f.pages + i * 8, pa);
    let n_bytes = f.size - i * PAGE_SIZE < PAGE_SIZE ? f.size - i * PAGE_SIZE : PAGE_SIZE;
    memcpy(p2v(pa), f.data + i * PAGE_SIZE, n_bytes);
  }
  f.paged = true;
  return true;
}

function drop_pages(f: FsNode): void {
  for (let i: u64 = 0; i < f.slots; i++) {
    let pa = load<u64>(f.pages + i * 8);
    if (pa != 0) {
      pmm_free(pa);
      file_pages--;
    }
  }
  if (f.slots != 0) kfree(f.pages);
  f.pages = 0;
  f.slots = 0;
}

/**
 * The frame holding page `index` of file n; with `create`, a missing one (a hole, or past the
 * end) is allocated zero-filled and the file becomes paged. 0 when there is none (and `create`
 * is off, or memory ran out). An archive-backed file without `create` has no frames: use
 * fs_span.
 */
export function fs_page(n: u64, index: u64, create: bool): u64 {
  let f = node(n);
  if (create && !make_paged(n)) return 0;
  if (!f.paged) return 0;
  if (index < f.slots && load<u64>(f.pages + index * 8) != 0) return load<u64>(f.pages + index * 8);
  if (!create || (index + 1) * PAGE_SIZE > MAX_FILE || !grow_slots(f, index + 1)) return 0;
  let pa = pmm_alloc_zeroed();
  if (pa == 0) return 0;
  file_pages++;
  store<u64>(f.pages + index * 8, pa);
  return pa;
}

/**
 * Where the file's byte `off` is, for a copy of at most `len` bytes that stays in one page: the
 * kernel address (0 for a hole: the bytes read as zeros), with the span's length in *span_out.
 * For writes (`create`) the page is made to exist. Returns 1 (not a valid address) when out of
 * memory or past MAX_FILE.
 */
export function fs_span(n: u64, off: u64, len: u64, create: bool, span_out: u64): u64 {
  let in_page = PAGE_SIZE - (off & PAGE_MASK);
  store<u64>(span_out, len < in_page ? len : in_page);
  let f = node(n);
  if (!create && !f.paged) return f.data + off;
  if (create && off + load<u64>(span_out) > MAX_FILE) return 1;
  let pa = fs_page(n, off / PAGE_SIZE, create);
  if (pa == 0) return create ? 1 : 0;
  return p2v(pa) + (off & PAGE_MASK);
}

/** The file grows to `end` bytes if shorter (after a write). */
export function fs_grow(n: u64, end: u64): void {
  if (end > node(n).size) node(n).size = end;
}

/** Empties the file (O_TRUNC): its pages go back, unless it is mapped (see the header). */
export function fs_truncate(n: u64): void {
  let f = node(n);
  f.size = 0;
  if (f.maps == 0 && f.paged) {
    drop_pages(f);
  } else if (!f.paged) {
    f.paged = true; // an empty paged file: the archive bytes are no longer its contents
  }
}

/** Name of the index-th child of dir (its address; length stored at len_out), or 0 past the end. */
export function fs_child_name(dir: u64, index: u64, len_out: u64): u64 {
  let c = node(dir).children;
  for (let i: u64 = 0; i < index && c != 0; i++) c = node(c).sibling;
  if (c == 0) return 0;
  store<u64>(len_out, node(c).name_len);
  return name_addr(c);
}

function free_if_unused(n: u64): void {
  let f = node(n);
  if (f.parent != 0 || f.opens != 0 || f.maps != 0 || n == root) return;
  drop_pages(f);
  if (!f.is_dir) files--;
  kfree(n);
}

/**
 * A shared-memory object: a file of `size` bytes in no directory (so it lives while a descriptor
 * or a mapping holds it), in pages from the start (all holes: frames come at first touch).
 */
export function fs_create_anonymous(size: u64): u64 {
  if (size == 0 || size > MAX_FILE) return 0;
  let n = kzalloc(sizeof<FsNode>());
  if (n == 0) return 0;
  node(n).paged = true;
  node(n).size = size;
  files++;
  return n;
}

/** Takes the node at path out of its directory (a directory only when empty); false if impossible. */
export function fs_unlink(p: u64, len: u64): bool {
  let n = fs_lookup(p, len);
  if (n == 0 || n == root || (node(n).is_dir && node(n).children != 0)) return false;
  let dir = node(n).parent;
  let link = dir + offsetof<FsNode>("children");
  while (load<u64>(link) != n) link = load<u64>(link) + offsetof<FsNode>("sibling");
  store<u64>(link, node(n).sibling);
  node(n).parent = 0;
  free_if_unused(n);
  return true;
}

export function fs_opened(n: u64): void {
  node(n).opens++;
}

export function fs_closed(n: u64): void {
  node(n).opens--;
  free_if_unused(n);
}

/** A mapping of n begins (mm/vma.ts); a shared one needs the file in pages first. */
export function fs_mapped(n: u64, shared: bool): bool {
  if (shared && !make_paged(n)) return false;
  node(n).maps++;
  return true;
}

export function fs_unmapped(n: u64): void {
  node(n).maps--;
  free_if_unused(n);
}

export function fs_file_count(): u64 {
  return files;
}

/** Frames held by file contents (tests compare it). */
export function fs_file_pages(): u64 {
  return file_pages;
}

export function open_file(a: u64): OpenFile {
  return changetype<OpenFile>(a);
}
