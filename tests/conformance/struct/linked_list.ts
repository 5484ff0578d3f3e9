// A linked list of objects from new (bump allocator): class-typed fields are pointers, null ends it.
import { print } from "../lib/print";
import { bump_used } from "../lib/bump";

class Node {
  value: i32 = 0;
  next: Node | null = null;
}

class List {
  head: Node | null = null;
  count: u32 = 0;
  push(v: i32): void {
    const n = new Node();
    n.value = v;
    n.next = this.head;
    this.head = n;
    this.count++;
  }
  sum(): i32 {
    let s: i32 = 0;
    let n = this.head;
    while (n != null) {
      s += n.value;
      n = n.next;
    }
    return s;
  }
  reverse(): void {
    let prev: Node | null = null;
    let cur = this.head;
    while (cur) {
      const next = cur.next;
      cur.next = prev;
      prev = cur;
      cur = next;
    }
    this.head = prev;
  }
}

export function main(): void {
  const l = new List();
  for (let i = 1; i <= 10; i++) l.push(i * i);
  print(`${l.count} ${l.sum()}`);
  l.reverse();
  let n = l.head;
  let line: i32 = 0;
  while (n && line < 3) {
    print(`${n.value}`);
    n = n.next;
    line++;
  }
  print(`${u32(bump_used() >= 0)}`);
}

/* expect:
10 385
1
4
9
1
*/
