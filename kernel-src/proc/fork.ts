// Copy-on-write duplication of a user address space: the half of a fork that is about memory.
// The child gets the parent's VMAs (mm/vma.ts vma_clone) and every user page at the same address
// (mm/vmm.ts vmm_clone_user): private writable pages become read-only copy-on-write in both,
// their frames shared with a reference count (mm/pmm.ts pmm_share); the first write on either
// side copies the page (vm_fault's cow_break), and a frame is freed when its last user lets go.
//
// What is not here yet: SYS_FORK itself (a child thread resuming in ring 3 with the parent's
// registers needs a system-call entry that saves them all, in arch/x86_64/syscall.S).

import { AddressSpace, vmm_create_address_space, vmm_destroy_address_space, vmm_clone_user } from "../mm/vmm";
import { vma_clone, vma_free_all } from "../mm/vma";
import { user_unmapped } from "../mm/usercopy";
import { irq_save, irq_restore } from "../arch/hal";

/** A copy-on-write copy of `parent`'s user half, or null when memory is short. */
export function space_fork(parent: AddressSpace): AddressSpace | null {
  let child = vmm_create_address_space();
  if (child == null) return null;
  let irq = irq_save(); // nothing may fault pages in or out of the parent meanwhile
  // Pages first: then a failure in vma_clone leaves VMAs whose promises match the child's pages.
  let ok = vmm_clone_user(parent, child) && vma_clone(parent, child);
  user_unmapped(); // the parent's writable pages became read-only: drop every cached user check
  irq_restore(irq);
  if (ok) return child;
  vma_free_all(child);
  vmm_destroy_address_space(child);
  return null;
}
