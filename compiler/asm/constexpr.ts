// GNU as's integer arithmetic on constant expressions: the one evaluator of operators, used for
// instruction operands, `.set` and data directives (.byte .. .quad) alike.
//
// GNU as computes in a signed 64-bit integer (offsetT): literals at or above 2^63 are negative,
// `/ % < > <= >=` are signed, `>>` is logical (it shifts the unsigned valueT), a shift count that
// is 64 or more as an unsigned number (so also a negative one) gives 0 with a warning, and a
// division by zero warns and divides by 1. Comparisons give -1 for true; `&&` and `||` give 1.
// Found by experiment with GNU as 2.40 (tests/asm/random.ts checks it on random expressions).

/** Reports a warning (GNU as goes on with the value given). */
export type Warn = (message: string) => void;

const MASK64 = (1n << 64n) - 1n;
const s64 = (v: bigint) => BigInt.asIntN(64, v);
const u64 = (v: bigint) => BigInt.asUintN(64, v);

/** A literal as GNU as reads it: wrapped to signed 64 bits; undefined if it needs more than 64 bits. */
export function literal(v: bigint): bigint | undefined {
  return v > MASK64 ? undefined : s64(v);
}

export function unaryOp(op: string, a: bigint): bigint {
  a = s64(a);
  if (op === '-') return s64(-a);
  if (op === '~') return s64(~a);
  return a === 0n ? 1n : 0n; // '!'
}

export function binaryOp(op: string, a: bigint, b: bigint, warn: Warn = () => {}): bigint | undefined {
  a = s64(a);
  b = s64(b);
  switch (op) {
    case '+': return s64(a + b);
    case '-': return s64(a - b);
    case '*': return s64(a * b);
    case '/':
    case '%':
      if (b === 0n) {
        warn('division by zero');
        b = 1n;
      }
      // BigInt division truncates toward zero, as C does.
      return s64(op === '/' ? a / b : a % b);
    case '<<':
    case '>>':
      if (u64(b) >= 64n) {
        warn(`shift count out of range (${b} is not between 0 and 63)`);
        return 0n;
      }
      return op === '<<' ? s64(a << b) : s64(u64(a) >> b);
    case '&': return a & b;
    case '|': return a | b;
    case '^': return a ^ b;
    case '!': return a | ~b; // GNU's "or not"
    case '==': return a === b ? -1n : 0n;
    case '!=': case '<>': return a !== b ? -1n : 0n;
    case '<': return a < b ? -1n : 0n;
    case '>': return a > b ? -1n : 0n;
    case '<=': return a <= b ? -1n : 0n;
    case '>=': return a >= b ? -1n : 0n;
    case '&&': return a !== 0n && b !== 0n ? 1n : 0n;
    case '||': return a !== 0n || b !== 0n ? 1n : 0n;
  }
  return undefined;
}
