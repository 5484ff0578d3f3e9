// The file system calls (numbers 30..37 in abi/syscall.ts; layouts and flags in abi/fs.ts), and
// SYS_READ/SYS_WRITE on descriptors from SYS_OPEN. Like most system calls they run with
// interrupts off from start to end (fs/vfs.ts relies on it: no other thread can change a file
// while a call reads or writes it). Every argument is checked first; paths are copied in; file
// bytes move with copy_to_user/copy_from_user (a bad pointer gives E_FAULT, the call's effect up
// to that page stays; a short count says how far it got).

import { thread_current } from "../sched/scheduler";
import { vma_add_file, vma_flags, VMA_FILE_SHARED, VMA_FILE_PRIVATE } from "../mm/vma";
import { PAGE_SIZE, PAGE_MASK, page_round_up } from "../mm/layout";
import { PROT_READ, PROT_WRITE, PROT_EXEC, MAP_SHARED, MAP_PRIVATE } from "../abi/syscall";
import { Process, proc_of, proc_spawn_path_bytes, proc_live, MAX_FILES, MAX_PROCESSES, MMAP_LIMIT } from "../proc/process";
import { copy_from_user, copy_to_user } from "../mm/usercopy";
import { kzalloc, kfree } from "../mm/kmalloc";
import {
  fs_lookup, fs_create, fs_is_dir, fs_size, fs_span, fs_grow, fs_truncate, fs_child_name, fs_unlink, fs_opened,
  fs_closed, fs_mapped, fs_unmapped, open_file, OpenFile,
} from "../fs/vfs";
import { E_OK, E_INVAL, E_FAULT, E_NOMEM, E_BADF, E_NOENT, E_AGAIN } from "../abi/errors";
import { quota_charge_pages, quota_credit_pages } from "../proc/quota";
import {
  PATH_MAX, FD_FIRST, O_READ, O_WRITE, O_CREATE, O_TRUNC, SEEK_SET, SEEK_CUR, SEEK_END, KIND_FILE, KIND_DIR, FsStat,
} from "../abi/fs";

const OPEN_FLAGS: u64 = 15;
const PROT_ALL: u64 = 7;
const MAX_MMAP: u64 = 64 * 1024 * 1024;
const MAX_FILE_OFFSET: u64 = 16 * 1024 * 1024;
const MAX_IO: u64 = 65536;
const SPAWN_PRIORITY_MIN: u64 = 1;
const SPAWN_PRIORITY_MAX: u64 = 95;

let path_buf!: InlineArray<u8, 256>; // one call at a time: interrupts are off throughout

/** Copies the user path in; its length, or a negative error. */
function path_in(ptr: u64, len: u64): i64 {
  if (len == 0 || len > PATH_MAX) return E_INVAL;
  if (!copy_from_user(addr_of(path_buf), ptr, len)) return E_FAULT;
  return i64(len);
}

function cur(): Process {
  return proc_of(thread_current());
}

/** The open file behind fd, or null. */
function file_of(p: Process, fd: u64): OpenFile | null {
  if (fd < FD_FIRST || fd >= MAX_FILES || p.files[i32(fd)] == 0) return null;
  return open_file(p.files[i32(fd)]);
}

/** open(path, len, flags): a descriptor, or E_NOENT, E_INVAL (a directory opened for writing), E_BADF (no free descriptor). */
export function sys_open(ptr: u64, len: u64, flags: u64, a4: u64, a5: u64): i64 {
  if ((flags & ~OPEN_FLAGS) != 0 || (flags & (O_READ | O_WRITE)) == 0) return E_INVAL;
  if ((flags & (O_CREATE | O_TRUNC)) != 0 && (flags & O_WRITE) == 0) return E_INVAL;
  let n = path_in(ptr, len);
  if (n < 0) return n;
  let p = cur();
  let fd = FD_FIRST;
  while (fd < MAX_FILES && p.files[i32(fd)] != 0) fd++;
  if (fd == MAX_FILES) return E_BADF;
  let node = (flags & O_CREATE) != 0 ? fs_create(addr_of(path_buf), u64(n)) : fs_lookup(addr_of(path_buf), u64(n));
  if (node == 0) return E_NOENT;
  if (fs_is_dir(node) && (flags & O_WRITE) != 0) return E_INVAL;
  let f = kzalloc(sizeof<OpenFile>());
  if (f == 0) return E_NOMEM;
  open_file(f).node = node;
  open_file(f).flags = flags;
  fs_opened(node);
  if ((flags & O_TRUNC) != 0) fs_truncate(node);
  p.files[i32(fd)] = f;
  return i64(fd);
}

export function sys_close(fd: u64, a2: u64, a3: u64, a4: u64, a5: u64): i64 {
  let p = cur();
  let f = file_of(p, fd);
  if (f == null) return E_BADF;
  fs_closed(f.node);
  kfree(p.files[i32(fd)]);
  p.files[i32(fd)] = 0;
  return E_OK;
}

/** SYS_READ on a file descriptor: up to len bytes from the offset; 0 at the end. */
export function file_read(fd: u64, buf: u64, len: u64): i64 {
  let f = file_of(cur(), fd);
  if (f == null || (f.flags & O_READ) == 0 || fs_is_dir(f.node)) return E_BADF;
  if (len > MAX_IO) return E_INVAL;
  let size = fs_size(f.node);
  let n = f.offset >= size ? 0 : size - f.offset;
  if (n > len) n = len;
  for (let done: u64 = 0; done < n; ) {
    let src = fs_span(f.node, f.offset + done, n - done, false, addr_of(span));
    let ok = src != 0 ? copy_to_user(buf + done, src, span) : copy_to_user(buf + done, addr_of(zeros), span); // a hole
    if (!ok) return done > 0 ? advance(f, done) : E_FAULT;
    done += span;
  }
  return advance(f, n);
}

function advance(f: OpenFile, n: u64): i64 {
  f.offset += n;
  return i64(n);
}

let span: u64 = 0;
let zeros!: InlineArray<u8, 4096>;

/** SYS_WRITE on a file descriptor: len bytes at the offset (the file grows as needed). */
export function file_write(fd: u64, buf: u64, len: u64): i64 {
  let f = file_of(cur(), fd);
  if (f == null || (f.flags & O_WRITE) == 0) return E_BADF;
  if (len > MAX_IO) return E_INVAL;
  for (let done: u64 = 0; done < len; ) {
    let dst = fs_span(f.node, f.offset + done, len - done, true, addr_of(span));
    if (dst == 1) return done > 0 ? grown(f, done) : E_NOMEM;
    if (!copy_from_user(dst, buf + done, span)) return done > 0 ? grown(f, done) : E_FAULT;
    done += span;
  }
  return grown(f, len);
}

/** After n bytes written at the offset: the file covers them, the offset moves past them. */
function grown(f: OpenFile, n: u64): i64 {
  fs_grow(f.node, f.offset + n);
  return advance(f, n);
}

/** unlink(path, len): the file (or empty directory) leaves its directory; freed when unused. */
export function sys_unlink(ptr: u64, len: u64, a3: u64, a4: u64, a5: u64): i64 {
  let n = path_in(ptr, len);
  if (n < 0) return n;
  return fs_unlink(addr_of(path_buf), u64(n)) ? E_OK : E_NOENT;
}

/** seek(fd, offset, whence): the new offset (it may lie past the end; a write there fills zeros). */
export function sys_seek(fd: u64, off: u64, whence: u64, a4: u64, a5: u64): i64 {
  let f = file_of(cur(), fd);
  if (f == null) return E_BADF;
  let base: u64 = whence == SEEK_SET ? 0 : whence == SEEK_CUR ? f.offset : whence == SEEK_END ? fs_size(f.node) : 0xffffffffffffffff;
  if (base == 0xffffffffffffffff) return E_INVAL;
  let to = base + off; // off is signed (two's complement): a wrap below 0 shows as huge
  if (i64(to) < 0 || (i64(off) < 0 && to > base) || (i64(off) > 0 && to < base)) return E_INVAL;
  f.offset = to;
  return i64(to);
}

/** stat(path, len, out): size and kind into an FsStat at out. */
export function sys_stat(ptr: u64, len: u64, out: u64, a4: u64, a5: u64): i64 {
  let n = path_in(ptr, len);
  if (n < 0) return n;
  let node = fs_lookup(addr_of(path_buf), u64(n));
  if (node == 0) return E_NOENT;
  let st = new FsStat();
  st.size = fs_is_dir(node) ? 0 : fs_size(node);
  st.kind = fs_is_dir(node) ? KIND_DIR : KIND_FILE;
  let ok = copy_to_user(out, changetype<u64>(st), sizeof<FsStat>());
  destroy(st);
  return ok ? E_OK : E_FAULT;
}

/** readdir(fd, index, buf, len): the name of the directory's index-th entry into buf; its length, 0 past the end. */
export function sys_readdir(fd: u64, index: u64, buf: u64, len: u64, a5: u64): i64 {
  let f = file_of(cur(), fd);
  if (f == null || !fs_is_dir(f.node)) return E_BADF;
  let name_len: u64 = 0;
  let name = fs_child_name(f.node, index, addr_of(path_buf));
  if (name == 0) return 0;
  name_len = load<u64>(addr_of(path_buf));
  if (name_len > len) return E_INVAL;
  return copy_to_user(buf, name, name_len) ? i64(name_len) : E_FAULT;
}

/** spawn(path, len, priority): starts the program at path (detached); its pid. */
export function sys_spawn(ptr: u64, len: u64, priority: u64, a4: u64, a5: u64): i64 {
  if (priority < SPAWN_PRIORITY_MIN || priority > SPAWN_PRIORITY_MAX) return E_INVAL;
  let n = path_in(ptr, len);
  if (n < 0) return n;
  if (proc_live() >= MAX_PROCESSES) return E_AGAIN;
  let pid = proc_spawn_path_bytes(addr_of(path_buf), u64(n), u8(priority));
  return pid == 0 ? E_NOENT : i64(pid);
}

/**
 * mmap_file(fd, offset, len, prot, MAP_SHARED or MAP_PRIVATE): maps len bytes of the open file
 * from offset (page aligned), demand paged (mm/vma.ts). A shared writable mapping needs the file
 * open for writing. The mapping keeps the file alive (fs_mapped) until munmap or exit.
 */
export function sys_mmap_file(fd: u64, offset: u64, len: u64, prot: u64, share: u64): i64 {
  let p = cur();
  let f = file_of(p, fd);
  if (f == null || fs_is_dir(f.node)) return E_BADF;
  if ((offset & PAGE_MASK) != 0 || len == 0 || len > MAX_MMAP || (prot & ~PROT_ALL) != 0) return E_INVAL;
  if (share != MAP_SHARED && share != MAP_PRIVATE) return E_INVAL;
  if ((prot & PROT_WRITE) != 0 && (prot & PROT_EXEC) != 0) return E_INVAL; // W^X, as SYS_MMAP
  if ((prot & PROT_READ) != 0 && (f.flags & O_READ) == 0) return E_BADF;
  if (share == MAP_SHARED && (prot & PROT_WRITE) != 0 && (f.flags & O_WRITE) == 0) return E_BADF;
  if (offset > MAX_FILE_OFFSET) return E_INVAL;
  return map_file(p, f.node, offset, page_round_up(len), prot, share);
}

/**
 * Maps size bytes (page aligned) of file node from offset at the next free address of p's mmap
 * area, counted against p's quota (PROC_MAX_PAGES); the address, or E_NOMEM. Interrupts are off throughout (as in every call here and in
 * shm_syscalls.ts), so choosing the address and recording the VMA cannot interleave with
 * sys_mmap's (which does both in one irq-off section too).
 */
export function map_file(p: Process, node: u64, offset: u64, size: u64, prot: u64, share: u64): i64 {
  let base = p.mmap_next;
  if (base + size > MMAP_LIMIT || !quota_charge_pages(p.quota, size / PAGE_SIZE, false)) return E_NOMEM;
  let shared = share == MAP_SHARED;
  if (!fs_mapped(node, shared)) {
    quota_credit_pages(p.quota, size / PAGE_SIZE, false);
    return E_NOMEM;
  }
  let kind = shared ? VMA_FILE_SHARED : VMA_FILE_PRIVATE;
  if (!vma_add_file(p.space, base, base + size, vma_flags((prot & PROT_WRITE) != 0, (prot & PROT_EXEC) != 0), kind, node, offset)) {
    fs_unmapped(node);
    quota_credit_pages(p.quota, size / PAGE_SIZE, false);
    return E_NOMEM;
  }
  p.mmap_next = base + size + PAGE_SIZE; // an unmapped page between mappings
  return i64(base);
}
