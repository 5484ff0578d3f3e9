// The file system calls (numbers 30..35 in abi/syscall.ts; layouts and flags in abi/fs.ts), and
// SYS_READ/SYS_WRITE on descriptors from SYS_OPEN. Like most system calls they run with
// interrupts off from start to end (fs/vfs.ts relies on it: no other thread can change a file
// while a call reads or writes it). Every argument is checked first; paths are copied in; file
// bytes move with copy_to_user/copy_from_user (a bad pointer gives E_FAULT, the call's effect up
// to that page stays).

import { thread_current } from "../sched/scheduler";
import { Process, proc_of, proc_spawn_path_bytes, MAX_FILES } from "../proc/process";
import { copy_from_user, copy_to_user } from "../mm/usercopy";
import { kzalloc, kfree } from "../mm/kmalloc";
import {
  fs_lookup, fs_create, fs_is_dir, fs_size, fs_data, fs_extend, fs_truncate, fs_child_name, open_file, OpenFile,
} from "../fs/vfs";
import { E_OK, E_INVAL, E_FAULT, E_NOMEM, E_BADF, E_NOENT } from "../abi/errors";
import {
  PATH_MAX, FD_FIRST, O_READ, O_WRITE, O_CREATE, O_TRUNC, SEEK_SET, SEEK_CUR, SEEK_END, KIND_FILE, KIND_DIR, FsStat,
} from "../abi/fs";

const OPEN_FLAGS: u64 = 15;
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
  if ((flags & O_TRUNC) != 0) fs_truncate(node);
  p.files[i32(fd)] = f;
  return i64(fd);
}

export function sys_close(fd: u64, a2: u64, a3: u64, a4: u64, a5: u64): i64 {
  let p = cur();
  if (file_of(p, fd) == null) return E_BADF;
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
  if (!copy_to_user(buf, fs_data(f.node) + f.offset, n)) return E_FAULT;
  f.offset += n;
  return i64(n);
}

/** SYS_WRITE on a file descriptor: len bytes at the offset (the file grows as needed). */
export function file_write(fd: u64, buf: u64, len: u64): i64 {
  let f = file_of(cur(), fd);
  if (f == null || (f.flags & O_WRITE) == 0) return E_BADF;
  if (len > MAX_IO) return E_INVAL;
  if (len == 0) return 0;
  let old = fs_size(f.node);
  if (!fs_extend(f.node, f.offset + len)) return E_NOMEM;
  if (!copy_from_user(fs_data(f.node) + f.offset, buf, len)) {
    if (f.offset + len > old) fs_extend_undo(f.node, old, f.offset);
    return E_FAULT;
  }
  f.offset += len;
  return i64(len);
}

/** A failed write does not leave a grown file: back to the larger of its old size and the offset. */
function fs_extend_undo(node: u64, old: u64, offset: u64): void {
  fs_truncate(node);
  fs_extend(node, old > offset ? old : offset);
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
  let pid = proc_spawn_path_bytes(addr_of(path_buf), u64(n), u8(priority));
  return pid == 0 ? E_NOENT : i64(pid);
}
