// Self-tests of the ramdisk and the file system (fs/): what the boot found in the archive, and a
// ring-3 program's read/write/seek/readdir/mmap/unlink round trips (user/files).

import { check, check_eq, frames_free } from "./ktest";
import { kprint } from "../lib/log";
import { fs_lookup, fs_is_dir, fs_size, fs_contiguous, fs_file_count, fs_file_pages } from "../fs/vfs";
import { initrd_from_module } from "../fs/initrd";
import { proc_spawn_path, proc_wait } from "../proc/process";
import { kmalloc_live_objects } from "../mm/kmalloc";
import { pmm_reserved } from "../mm/pmm";

const MOTD: string = "Scarlett OS: this file came from the initial ramdisk (kernel-src/initrd/etc/motd).\n";

function lookup(path: string): u64 {
  return fs_lookup(changetype<u64>(path), u64(path.length));
}

/** The archive's tree: programs in /bin (ELF files), /etc/motd with its text, /tmp a directory. */
export function test_fs_ramdisk(): bool {
  kprint(`# initrd: ${initrd_from_module() ? "multiboot module 0" : "built-in copy"}, ${fs_file_count()} files\n`);
  let demo = lookup("/bin/demo");
  let ok = check(demo != 0 && !fs_is_dir(demo), "/bin/demo is a file");
  ok = check(demo != 0 && fs_contiguous(demo) != 0 && load<u32>(fs_contiguous(demo)) == 0x464c457f, "an ELF image") && ok;
  ok = check(lookup("/bin") != 0 && fs_is_dir(lookup("/bin")), "/bin is a directory") && ok;
  ok = check(lookup("//bin///demo") == demo, "empty path components are skipped") && ok;
  ok = check(lookup("/bin/nope") == 0 && lookup("/bin/demo/x") == 0, "missing paths") && ok;
  let motd = lookup("/etc/motd");
  ok = check(motd != 0 && fs_size(motd) == u64(MOTD.length) &&
    memcmp(fs_contiguous(motd), changetype<usize>(MOTD), u64(MOTD.length)) == 0, "/etc/motd holds kernel-src/initrd/etc/motd") && ok;
  ok = check(lookup("/tmp") != 0 && fs_is_dir(lookup("/tmp")), "/tmp") && ok;
  return ok;
}

/** user/files: every check passes, and its file's pages, promises and frames are all back. */
export function test_fs_user_files(): bool {
  let frames = frames_free();
  let pages = fs_file_pages();
  let live = kmalloc_live_objects();
  let promised = pmm_reserved();
  let p = proc_spawn_path("/bin/files", 32, false);
  if (p == null) return check(false, "spawn /bin/files");
  let ok = check_eq(u64(proc_wait(p)), 0, "files: failed checks (its exit status)");
  ok = check_eq(fs_file_pages(), pages, "the unlinked file's pages freed") && ok;
  ok = check_eq(pmm_reserved(), promised, "every promise back") && ok;
  ok = check_eq(kmalloc_live_objects(), live, "no node, open file or VMA left") && ok;
  ok = check_eq(frames_free(), frames, "every frame back") && ok;
  return ok;
}
