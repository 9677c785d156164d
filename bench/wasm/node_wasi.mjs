// SPDX-License-Identifier: MIT
// bench/wasm/node_wasi.mjs - run a WASI preview 1 command on node's V8, a
// second engine to compare with `bnity wasm run` (bench/wasm/run.sh and,
// with BN_TEST_NODE=1, tests/wasm/programs/run.sh).
//   node node_wasi.mjs [--dir HOST::GUEST[:ro]] [--env K=V] FILE.wasm [ARGS]
// Exits with the program's status.  node's WASI is not a sandbox; this is
// for comparison only.
import { readFile } from 'node:fs/promises';
import { WASI } from 'node:wasi';
import process from 'node:process';

const argv = process.argv.slice(2);
const preopens = {};
const env = {};
while (argv.length && argv[0].startsWith('--')) {
  const flag = argv.shift();
  const val = argv.shift();
  if (flag === '--dir') {
    const spec = val.replace(/:ro$/, '');
    const [host, guest] = spec.includes('::') ? spec.split('::') : [spec, spec];
    preopens[guest] = host;
  } else if (flag === '--env') {
    const i = val.indexOf('=');
    env[val.slice(0, i)] = val.slice(i + 1);
  } else {
    console.error(`node_wasi: unknown option ${flag}`);
    process.exit(2);
  }
}
const file = argv[0];
const wasi = new WASI({ version: 'preview1', args: argv, env, preopens,
                        returnOnExit: true });
const mod = await WebAssembly.compile(await readFile(file));
const inst = await WebAssembly.instantiate(mod, wasi.getImportObject());
process.exitCode = wasi.start(inst);
