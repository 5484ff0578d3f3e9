// The linker's command line:
//   node out/toolchain/linker/cli.js --layout linker/kernel.toml -o out/kernel.elf --map out/kernel.map a.o b.o
// Inputs are ELF64 relocatable objects. Programs that already hold objects in memory (the build
// driver) call linkProgram with ObjectFile values instead of paths.

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { fail, runMain } from './diag.js';
import type { ObjectFile } from './object.js';
import { readObject } from './elfread.js';
import { readLayout } from './layout.js';
import { link, type LinkResult } from './link.js';
import { writeExecutable } from './exec.js';
import { formatMap } from './map.js';

export interface LinkOptions {
  layout: string; // path of the TOML layout
  output: string; // the executable to write
  map?: string; // the link map to write
  inputs: (string | ObjectFile)[]; // .o paths or objects in memory
}

/** Links and writes the executable (and map); returns the link result for callers that want it. */
export function linkProgram(o: LinkOptions): LinkResult {
  const objects = o.inputs.map((i) => (typeof i === 'string' ? readObjectFile(i) : i));
  const result = link(objects, readLayout(o.layout));
  writeOut(o.output, writeExecutable(result), 0o755);
  if (o.map) writeOut(o.map, formatMap(result));
  return result;
}

function readObjectFile(path: string): ObjectFile {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch {
    fail('LNK0014', `cannot read object file ${path}`);
  }
  return readObject(bytes, path);
}

function writeOut(path: string, data: Uint8Array | string, mode = 0o644): void {
  mkdirSync(dirname(resolve(path)), { recursive: true });
  writeFileSync(path, data, { mode });
}

const USAGE = 'usage: cli.js --layout FILE.toml -o OUT.elf [--map OUT.map] INPUT.o...';

export function parseArgs(argv: string[]): LinkOptions {
  const o: Partial<LinkOptions> & { inputs: string[] } = { inputs: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) fail('LNK0014', `${a} needs a value; ${USAGE}`);
      return v;
    };
    if (a === '--layout') o.layout = value();
    else if (a === '-o') o.output = value();
    else if (a === '--map') o.map = value();
    else if (a.startsWith('-')) fail('LNK0014', `unknown option ${a}; ${USAGE}`);
    else o.inputs.push(a);
  }
  if (!o.layout || !o.output || o.inputs.length === 0) fail('LNK0014', USAGE);
  return o as LinkOptions;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  void runMain(() => {
    linkProgram(parseArgs(process.argv.slice(2)));
  });
}
