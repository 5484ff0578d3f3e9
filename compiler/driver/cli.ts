// Command line: node out/toolchain/compiler/driver/cli.js <dir-or-tsconfig> -o out.o
//   [--emit-ir] [--emit-asm file] [--time]
// The object is the same for every target (target.ts): the target only chooses what it is linked
// with, by build.js. Prints nothing on success (phase times with --time); user errors print as diagnostics, exit 1.

import { compile } from './compile.js';
import { fail, runMain } from '../../linker/diag.js';

const USAGE = 'usage: cli.js <dir-or-tsconfig> -o out.o [--emit-ir] [--emit-asm file] [--time]';

function parseArgs(argv: string[]) {
  let input: string | undefined;
  let output: string | undefined;
  let emitAsm: string | undefined;
  let emitIR = false;
  let time = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => argv[++i] ?? fail('CLI0001', `${a} needs a value\n${USAGE}`);
    if (a === '-o') output = next();
    else if (a === '--emit-asm') emitAsm = next();
    else if (a === '--emit-ir') emitIR = true;
    else if (a === '--time') time = true;
    else if (a.startsWith('-')) fail('CLI0001', `unknown option '${a}'\n${USAGE}`);
    else if (input) fail('CLI0001', `more than one input\n${USAGE}`);
    else input = a;
  }
  if (!input) fail('CLI0001', USAGE);
  return { input, output, emitAsm, emitIR, time };
}

runMain(() => {
  const args = parseArgs(process.argv.slice(2));
  const times = compile(args.input, args);
  if (args.time) for (const t of times) process.stderr.write(`${t.phase.padEnd(10)} ${t.ms.toFixed(1)} ms\n`);
});
