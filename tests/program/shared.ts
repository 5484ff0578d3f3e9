// Imported by good/ and bad/: part of both programs, though neither tsconfig includes it.
export function twice(x: u32): u32 {
  return x * 2;
}
