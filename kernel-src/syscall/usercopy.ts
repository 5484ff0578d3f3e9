// Checks on pointers that come from user mode. A range is acceptable only if it lies entirely in
// the user half, without wrapping, and every page of it is mapped present and user-accessible
// in the caller's address space (and writable when the kernel will write to it; executable for
// thread entry points). System calls check every pointer with these before touching memory; with
// interrupts off during a system call nothing can unmap a page between the check and the copy
// (after a blocking wait the check is repeated).

import { thread_current } from "../sched/scheduler";
import { proc_of } from "../proc/process";
import { vmm_pte, PTE_U, PTE_W, PTE_NX } from "../mm/vmm";
import { USER_TOP, PAGE_SIZE, page_round_down } from "../mm/layout";

function pte_of(va: u64): u64 {
  let t = thread_current();
  if (t.proc == 0) return 0;
  return vmm_pte(proc_of(t).space, va);
}

export function user_range_ok(addr: u64, len: u64, write: bool): bool {
  if (len == 0) return true;
  if (addr >= USER_TOP || len > USER_TOP - addr) return false;
  let end = addr + len;
  for (let page = page_round_down(addr); page < end; page += PAGE_SIZE) {
    let e = pte_of(page);
    if ((e & PTE_U) == 0) return false;
    if (write && (e & PTE_W) == 0) return false;
  }
  return true;
}

export function user_code_ok(addr: u64): bool {
  if (addr >= USER_TOP) return false;
  let e = pte_of(addr);
  return (e & PTE_U) != 0 && (e & PTE_NX) == 0;
}
