// `??`, `??=` and `?.` on references (T | null), and static methods.
import { print } from "../lib/print";
import { bump_used } from "../lib/bump";

class Node {
  v: i32 = 0;
  next: Node | null = null;
  static make(v: i32, next: Node | null): Node {
    const n = new Node();
    n.v = v;
    n.next = next;
    return n;
  }
  bump(): void {
    this.v += 100;
  }
  after(): Node | null {
    return this.next;
  }
}

let evaluated: u32 = 0;

function nothing(): Node | null {
  return null;
}

function fallback(): Node {
  evaluated++;
  return Node.make(-1, null);
}

export function main(): void {
  const list = Node.make(1, Node.make(2, Node.make(3, null)));
  const none = nothing();
  print(`${(none ?? list).v} ${(list ?? fallback()).v} ${evaluated}`);
  print(`${(none ?? fallback()).v} ${evaluated}`);
  const second = list.next?.next;
  print(`${second != null ? second.v : 0} ${u32(none?.next == null)}`);
  const third = list.after()?.after()?.after();
  print(`${u32(third == null)} ${list.next?.next?.v ?? 0} ${none?.next?.v ?? -7} ${list.after()?.v ?? 9}`);
  none?.bump(); // skipped
  list.next?.bump();
  print(`${list.next != null ? list.next.v : 0}`);
  let slot: Node | null = null;
  slot ??= list;
  slot ??= fallback();
  print(`${slot.v} ${evaluated} ${u32(bump_used() >= 0)}`);
}

/* expect:
1 1 0
-1 1
3 1
1 3 -7 2
102
1 1 1
*/
