// The file system: an in-memory tree (a ramfs) filled at boot from the initial ramdisk, a ustar
// archive (fs/tar.ts): the first multiboot module if the bootloader gave one, else the copy the
// build linked into the image (__initrd_start/__initrd_end, compiler/driver/initrd.ts).
//
// A node is a directory (children on a list) or a file (size bytes at data). A file from the
// archive points into the archive (capacity 0: read-only storage); its first write copies it into
// a kmalloc'd buffer that grows by doubling. Nodes are never removed (no unlink yet), so an open
// file's node stays valid. Open files (OpenFile: node, offset, flags) belong to a process's
// descriptor table (proc/process.ts); the system calls are in syscall/fs_syscalls.ts. Everything
// here runs with interrupts off (the file system calls are not preemptible), which is its lock.

import { tar_first, tar_next, tar_is_dir, tar_is_file, tar_name, tar_name_len, tar_size, tar_data } from "./tar";
import { kmalloc, kzalloc, kfree } from "../mm/kmalloc";
import { NAME_MAX } from "../abi/fs";

const MAX_FILE: u64 = 16 * 1024 * 1024;

export class FsNode {
  parent: u64 = 0;
  children: u64 = 0; // first child (directories)
  sibling: u64 = 0; // next child of the parent
  is_dir: bool = false;
  name_len: u64 = 0;
  data: u64 = 0;
  size: u64 = 0;
  capacity: u64 = 0; // bytes of the kmalloc'd buffer at data; 0: data is in the archive
  name!: InlineArray<u8, 60>;
}

export class OpenFile {
  node: u64 = 0;
  offset: u64 = 0;
  flags: u64 = 0;
}

let root: u64 = 0;
let files: u64 = 0;

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
  node(n).sibling = node(dir).children; // newest first; readdir order is creation order reversed
  node(dir).children = n;
  if (!is_dir) files++;
  return n;
}

/**
 * Walks the path [p, p+len) from the root. With `create_last`, a missing last component is
 * created (a file, or a directory with `dir`). Returns the node or 0. Components are separated by
 * '/'; empty ones and a leading '/' are skipped; "." and ".." are not special (no such names exist).
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
      if (n == 0 || node(n).is_dir) return false;
      node(n).data = tar_data(h);
      node(n).size = tar_size(h);
      if (tar_data(h) + tar_size(h) > end) return false;
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

/** Address of the file's bytes (valid until the next write to it). */
export function fs_data(n: u64): u64 {
  return node(n).data;
}

/**
 * Makes the file's buffer writable and at least `end` bytes long (new bytes zero); its size
 * becomes max(size, end). False when out of memory or past MAX_FILE.
 */
export function fs_extend(n: u64, end: u64): bool {
  let f = node(n);
  if (end > MAX_FILE) return false;
  if (f.capacity == 0 || end > f.capacity) {
    let cap = f.capacity == 0 ? 64 : f.capacity;
    while (cap < end || cap < f.size) cap *= 2;
    let buf = kzalloc(cap);
    if (buf == 0) return false;
    if (f.size > 0) memcpy(buf, f.data, f.size);
    if (f.capacity != 0) kfree(f.data);
    f.data = buf;
    f.capacity = cap;
  }
  if (end > f.size) f.size = end;
  return true;
}

/** Empties the file (O_TRUNC). */
export function fs_truncate(n: u64): void {
  node(n).size = 0;
}

/** Name of the index-th child of dir (its address; length in *len_out), or 0 past the end. */
export function fs_child_name(dir: u64, index: u64, len_out: u64): u64 {
  let c = node(dir).children;
  for (let i: u64 = 0; i < index && c != 0; i++) c = node(c).sibling;
  if (c == 0) return 0;
  store<u64>(len_out, node(c).name_len);
  return name_addr(c);
}

export function fs_file_count(): u64 {
  return files;
}

export function open_file(a: u64): OpenFile {
  return changetype<OpenFile>(a);
}
