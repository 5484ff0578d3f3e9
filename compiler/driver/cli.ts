// Command line: node out/toolchain/compiler/driver/cli.js <dir-or-tsconfig> -o out.o
//   [--target kernel|linux-x86_64] [--emit-ir] [--emit-asm file] [--time]
// Prints nothing on success (phase times with --time); user errors print as diagnostics, exit 1.

import { compile, type Target } from './compile.js';
import { fail, runMain } from '../../linker/diag.js';

const USAGE = 'usage: cli.js <dir-or-tsconfig> -o out.o [--target kernel|linux-x86_64] [--emit-ir] [--emit-asm file] [--time]';

function parseArgs(argv: string[]) {
  let input: string | undefined;
  let output: string | undefined;
  let emitAsm: string | undefined;
  let emitIR = false;
  let time = false;
  let target: Target = 'kernel';
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => argv[++i] ?? fail('CLI0001', `${a} needs a value\n${USAGE}`);
    if (a === '-o') output = next();
    else if (a === '--emit-asm') emitAsm = next();
    else if (a === '--emit-ir') emitIR = true;
    else if (a === '--time') time = true;
    else if (a === '--target') {
      const t = next();
      if (t === 'kernel') target = 'kernel';
      else if (t === 'linux-x86_64' || t === 'linux') target = 'linux';
      else fail('CLI0001', `unknown target '${t}' (kernel or linux-x86_64)`);
    } else if (a.startsWith('-')) fail('CLI0001', `unknown option '${a}'\n${USAGE}`);
    else if (input) fail('CLI0001', `more than one input\n${USAGE}`);
    else input = a;
  }
  if (!input) fail('CLI0001', USAGE);
  return { input, output, emitAsm, emitIR, time, target };
}

runMain(() => {
  const args = parseArgs(process.argv.slice(2));
  const times = compile(args.input, args);
  if (args.time) for (const t of times) process.stderr.write(`${t.phase.padEnd(10)} ${t.ms.toFixed(1)} ms\n`);
});
