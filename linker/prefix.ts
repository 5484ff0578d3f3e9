// Renaming an object's global definitions, like `objcopy --prefix-symbols` restricted to what the
// object defines. Several programs that each define `main`, `print`, `__alloc`, ... can then be
// linked into one image (the conformance programs inside one QEMU boot): every program's own
// references follow the rename, because relocations name symbols by index, not by name, while its
// undefined symbols (the runtime services it imports, like `rt_write`) keep their names and still
// resolve against the one shared definition.

import type { ObjectFile } from './object.js';

/** A copy of `obj` whose defined global and weak symbols are named `prefix + name`. */
export function prefixGlobals(obj: ObjectFile, prefix: string): ObjectFile {
  const symbols = obj.symbols.map((s) =>
    s.binding !== 'local' && s.section !== 'undef' && s.name ? { ...s, name: prefix + s.name } : s,
  );
  return { ...obj, symbols };
}
