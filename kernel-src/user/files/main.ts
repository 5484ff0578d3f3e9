// File system round trips from ring 3, for the kernel's test (test/fs_tests.ts): read a file from
// the ramdisk, list a directory, write/seek/read a new file (with a hole), map it shared (writes
// through the mapping and through write() see each other) and private (the copy is the process's
// own), then unlink it. Every error path it touches must answer with its code.
// Exit status: the number of checks that failed.

import {
  write, print, mmap, munmap, open, close, fread, fwrite, seek, stat, readdir, syscall_mmap_file, unlink,
} from "../lib/sys";
import { PROT_READ, PROT_WRITE, MAP_SHARED, MAP_PRIVATE } from "../../abi/syscall";
import { O_READ, O_WRITE, O_CREATE, O_TRUNC, SEEK_SET, SEEK_END, KIND_FILE, KIND_DIR, FsStat } from "../../abi/fs";
import { E_NOENT, E_BADF, E_INVAL } from "../../abi/errors";

let failures: i32 = 0;
let st!: Inline<FsStat>;
let name!: InlineArray<u8, 64>;

function expect(what: string, got: i64, want: i64): void {
  if (got == want) return;
  print(`[USER files] FAIL ${what}: got ${got}, want ${want}\n`);
  failures++;
}

const MOTD: string = "Scarlett OS: this file came from the initial ramdisk";

function read_motd(buf: u64): void {
  expect("stat /etc/motd", stat("/etc/motd", st), 0);
  expect("it is a file", i64(st.kind), i64(KIND_FILE));
  let fd = open("/etc/motd", O_READ);
  expect("open /etc/motd", i64(fd >= 3), 1);
  let n = fread(u64(fd), buf, 4096);
  expect("read all of it", n, i64(st.size));
  expect("its text", i64(memcmp(buf, changetype<usize>(MOTD), u64(MOTD.length))), 0);
  expect("then the end", fread(u64(fd), buf, 16), 0);
  expect("write to a read-only descriptor", fwrite(u64(fd), buf, 1), E_BADF);
  expect("close", close(u64(fd)), 0);
  expect("close twice", close(u64(fd)), E_BADF);
}

function list_bin(): void {
  expect("stat /bin", stat("/bin", st), 0);
  expect("a directory", i64(st.kind), i64(KIND_DIR));
  let fd = u64(open("/bin", O_READ));
  let found: i32 = 0;
  let count: u64 = 0;
  while (true) {
    let n = readdir(fd, count, addr_of(name), 64);
    if (n <= 0) break;
    if (n == 5 && memcmp(addr_of(name), changetype<usize>("files"), 5) == 0) found++;
    if (n == 4 && memcmp(addr_of(name), changetype<usize>("demo"), 4) == 0) found++;
    count++;
  }
  expect("/bin lists demo and files", found, 2);
  expect("/bin has the programs", i64(count >= 10), 1);
  expect("open a directory for writing", open("/bin", O_WRITE), E_INVAL);
  close(fd);
}

const N: u64 = 10000;

function round_trip(buf: u64): void {
  let fd = u64(open("/tmp/round", O_READ | O_WRITE | O_CREATE | O_TRUNC));
  expect("create /tmp/round", i64(fd >= 3), 1);
  for (let i: u64 = 0; i < N; i++) store<u8>(buf + i, u8(i * 7 + 3));
  expect("write 10000 bytes", fwrite(fd, buf, N), i64(N));
  expect("seek to 0", seek(fd, 0, SEEK_SET), 0);
  memset(buf, 0, N);
  expect("read them back", fread(fd, buf, N), i64(N));
  let same = true;
  for (let i: u64 = 0; i < N; i++) if (load<u8>(buf + i) != u8(i * 7 + 3)) same = false;
  expect("same bytes", i64(same), 1);
  expect("seek -100 from the end", seek(fd, -100, SEEK_END), i64(N - 100));
  expect("seek before the start", seek(fd, -20000, SEEK_END), E_INVAL);
  expect("seek past the end", seek(fd, 20000, SEEK_SET), 20000);
  expect("write there", fwrite(fd, changetype<usize>("END"), 3), 3);
  expect("stat: size grew", stat("/tmp/round", st), 0);
  expect("size 20003", i64(st.size), 20003);
  expect("seek into the hole", seek(fd, 15000, SEEK_SET), 15000);
  memset(buf, 0xff, 100);
  expect("read in the hole", fread(fd, buf, 100), 100);
  let zero = true;
  for (let i: u64 = 0; i < 100; i++) if (load<u8>(buf + i) != 0) zero = false;
  expect("the hole reads as zeros", i64(zero), 1);
  maps(fd, buf);
  expect("close", close(fd), 0);
  expect("unlink", unlink("/tmp/round"), 0);
  expect("gone", open("/tmp/round", O_READ), E_NOENT);
  expect("unlink twice", unlink("/tmp/round"), E_NOENT);
}

function maps(fd: u64, buf: u64): void {
  let shared = syscall_mmap_file(fd, 0, 12288, PROT_READ | PROT_WRITE, MAP_SHARED);
  expect("map shared", i64(shared > 0), 1);
  let s = u64(shared);
  let last: u64 = 9999;
  expect("the mapping shows the file", i64(load<u8>(s + last)), i64(u8(last * 7 + 3)));
  store<u64>(s + 5000, 0x5ca1ab1e5ca1ab1e); // through the mapping
  expect("seek 5000", seek(fd, 5000, SEEK_SET), 5000);
  expect("read 8", fread(fd, buf, 8), 8);
  expect("write() sees the mapping's store", i64(load<u64>(buf) == 0x5ca1ab1e5ca1ab1e), 1);
  store<u64>(buf, 0x1122334455667788);
  expect("seek 100", seek(fd, 100, SEEK_SET), 100);
  expect("write 8", fwrite(fd, buf, 8), 8);
  expect("the mapping sees write()", i64(load<u64>(s + 100) == 0x1122334455667788), 1);
  let priv = syscall_mmap_file(fd, 0, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE);
  expect("map private", i64(priv > 0), 1);
  let q = u64(priv);
  expect("private copy shows the file", i64(load<u64>(q + 5000) == 0x5ca1ab1e5ca1ab1e), 1);
  store<u64>(q + 100, 42); // private: the file keeps its bytes
  expect("seek 100 again", seek(fd, 100, SEEK_SET), 100);
  expect("read 8 again", fread(fd, buf, 8), 8);
  expect("the file did not see the private store", i64(load<u64>(buf) == 0x1122334455667788), 1);
  expect("the shared mapping did not either", i64(load<u64>(s + 100) == 0x1122334455667788), 1);
  expect("munmap part of a file mapping", munmap(s, 4096), E_INVAL);
  expect("munmap shared", munmap(s, 12288), 0);
  expect("munmap private", munmap(q, 8192), 0);
  let ro = u64(open("/etc/motd", O_READ));
  expect("shared writable map of a read-only descriptor", syscall_mmap_file(ro, 0, 4096, PROT_READ | PROT_WRITE, MAP_SHARED), E_BADF);
  let pm = syscall_mmap_file(ro, 0, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE);
  expect("private writable map of a read-only file", i64(pm > 0), 1);
  expect("it shows the archive's bytes", i64(memcmp(u64(pm), changetype<usize>(MOTD), u64(MOTD.length))), 0);
  munmap(u64(pm), 4096);
  close(ro);
}

export function main(port: u64): i32 {
  let buf = mmap(32768, PROT_READ | PROT_WRITE);
  if (buf <= 0) return 100;
  read_motd(u64(buf));
  list_bin();
  round_trip(u64(buf));
  expect("open a missing file", open("/no/such/file", O_READ), E_NOENT);
  expect("read a bad descriptor", fread(9, u64(buf), 1), E_BADF);
  expect("read a descriptor out of range", fread(1000, u64(buf), 1), E_BADF);
  if (failures == 0) write("[USER files] every file check passed\n");
  return failures;
}
