/* gcc's layout of the structs in layout_nested.ts. */
#include <stdio.h>
#include <stdint.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdalign.h>
struct Regs { uint64_t rip, rsp; uint32_t flags; };
struct Small { uint8_t x; uint16_t y; };
struct Thread {
  uint32_t tid; uint8_t prio, state; uintptr_t stack; struct Thread *next; struct Regs regs;
  uint8_t name[13]; struct Small small; uint32_t counters[3]; bool last;
};
struct Wrapper { uint8_t a; struct Small t; uint8_t b; uint16_t arr[3]; };
int main(void) {
  printf("Regs %zu %zu\n", sizeof(struct Regs), alignof(struct Regs));
  printf("Small %zu %zu\n", sizeof(struct Small), alignof(struct Small));
  printf("Thread %zu %zu %zu %zu %zu %zu %zu %zu %zu\n", sizeof(struct Thread), alignof(struct Thread),
    offsetof(struct Thread, stack), offsetof(struct Thread, next), offsetof(struct Thread, regs), offsetof(struct Thread, name),
    offsetof(struct Thread, small), offsetof(struct Thread, counters), offsetof(struct Thread, last));
  printf("Wrapper %zu %zu %zu %zu %zu\n", sizeof(struct Wrapper), alignof(struct Wrapper), offsetof(struct Wrapper, t),
    offsetof(struct Wrapper, b), offsetof(struct Wrapper, arr));
  return 0;
}
