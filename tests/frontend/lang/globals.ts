import { println } from "./io";

const LIMIT: u32 = 1 << 10;
const NEG: i64 = -LIMIT;
const SHIFTED: u64 = u64(LIMIT) << 30;
const NAME: string = "scarlett";
let counter: i32 = 41;
let zeroed: u64 = 0;
let flag: bool = true;
const PRIMES: readonly u16[] = [2, 3, 5, 7, 11, 13];
const WORDS: string[] = ["zero", "one", "two"];
const SMALL: i8[] = [-1, -2, -3];
export enum Color { Red, Green = 5, Blue }
/** @inline */
function twice(x: i32): i32 { return x * 2; }

export function globals(): void {
  counter++;
  zeroed += SHIFTED;
  let sum: u32 = 0;
  for (let i = 0; i < PRIMES.length; i++) sum += PRIMES[i];
  println(`${LIMIT} ${NEG} ${SHIFTED} ${NAME} ${NAME.length} ${counter} ${zeroed} ${flag} ${sum}`);
  println(`${WORDS[2]} ${SMALL[0]} ${SMALL[2]} ${Color.Green} ${Color.Blue} ${twice(21)}`);
  println(`${"héllo".length}`);
}
