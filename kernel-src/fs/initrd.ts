// Where the initial ramdisk comes from: the first multiboot module (QEMU `-initrd out/initrd.tar`,
// GRUB `module /boot/initrd.tar`), else the copy linked into the kernel image by the build
// (__initrd_start/__initrd_end), so a boot with no module still has its programs.

import { module_count, module_start, module_end } from "../boot/multiboot";
import { p2v } from "../mm/layout";
import { fs_init } from "./vfs";

declare const __initrd_start: u8;
declare const __initrd_end: u8;

let from_module: bool = false;

/** Fills the file system from the ramdisk; false if the archive is bad. */
export function initrd_mount(): bool {
  from_module = module_count() > 0;
  if (from_module) return fs_init(p2v(module_start(0)), p2v(module_end(0)));
  return fs_init(addr_of(__initrd_start), addr_of(__initrd_end));
}

/** True when the files came from a multiboot module rather than the built-in copy. */
export function initrd_from_module(): bool {
  return from_module;
}
