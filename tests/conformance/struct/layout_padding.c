/* gcc's layout of the structs in layout_padding.ts: the oracle for its expect block. */
#include <stdio.h>
#include <stdint.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdalign.h>
struct A { uint8_t a; uint32_t b; uint8_t c; };
struct B { uint8_t a; uint64_t b; };
struct C { uint16_t a; uint8_t b; };
struct D { uint64_t a; uint8_t b; };
struct E { uint8_t a; uint8_t b; uint16_t c; uint32_t d; uint64_t e; };
struct F { bool a; int16_t b; bool c; int32_t d; bool e; };
int main(void) {
  printf("A %zu %zu %zu %zu %zu\n", sizeof(struct A), alignof(struct A), offsetof(struct A, a), offsetof(struct A, b), offsetof(struct A, c));
  printf("B %zu %zu %zu %zu\n", sizeof(struct B), alignof(struct B), offsetof(struct B, a), offsetof(struct B, b));
  printf("C %zu %zu %zu %zu\n", sizeof(struct C), alignof(struct C), offsetof(struct C, a), offsetof(struct C, b));
  printf("D %zu %zu %zu %zu\n", sizeof(struct D), alignof(struct D), offsetof(struct D, a), offsetof(struct D, b));
  printf("E %zu %zu %zu %zu %zu %zu\n", sizeof(struct E), alignof(struct E), offsetof(struct E, b), offsetof(struct E, c), offsetof(struct E, d), offsetof(struct E, e));
  printf("F %zu %zu %zu %zu %zu %zu\n", sizeof(struct F), alignof(struct F), offsetof(struct F, b), offsetof(struct F, c), offsetof(struct F, d), offsetof(struct F, e));
  return 0;
}
