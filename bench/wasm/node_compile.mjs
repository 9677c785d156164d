// SPDX-License-Identifier: MIT
// bench/wasm/node_compile.mjs - how long node's V8 takes to compile a
// module, for the "load" section of bench/wasm/run.sh.
//   node [V8 FLAGS] node_compile.mjs [-n RUNS] FILE.wasm
// Prints "bytes=N compile_ms=BEST mib_s=M" for the best of RUNS
// (default 5) WebAssembly.compile calls.  V8 caches modules by their
// bytes, so every run appends a different small custom section to defeat
// the cache.  With V8's default settings this times the baseline
// (Liftoff) compile of every function; optimised code comes later, in
// the background, for hot functions only.
import { readFile } from 'node:fs/promises';
import process from 'node:process';

const argv = process.argv.slice(2);
let runs = 5;
if (argv[0] === '-n') {
  runs = Number(argv[1]);
  argv.splice(0, 2);
}
const bytes = await readFile(argv[0]);
let best = Infinity;
for (let i = 0; i < runs; i++) {
  // custom section 0: size, name length, name "bench", one varying byte
  const tag = Uint8Array.of(0, 7, 5, 98, 101, 110, 99, 104, i & 0x7f);
  const buf = new Uint8Array(bytes.length + tag.length);
  buf.set(bytes);
  buf.set(tag, bytes.length);
  const t0 = process.hrtime.bigint();
  await WebAssembly.compile(buf);
  const t = Number(process.hrtime.bigint() - t0) / 1e6;
  if (t < best)
    best = t;
}
const mib = bytes.length / (1024 * 1024);
console.log(`bytes=${bytes.length} compile_ms=${best.toFixed(2)} ` +
            `mib_s=${(mib / (best / 1000)).toFixed(1)}`);
