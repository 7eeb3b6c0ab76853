// One cold start in a fresh process: load a bundle and build the SDK clients its function uses
// (what a Lambda init does before the first event). Prints one JSON line:
// { loadMs, clientsMs, initMs: load + clients, sinceProcessStartMs: including Node's own boot }.
// With --preload-builtins, the Node modules the SDK needs (http, https, crypto, zlib, stream...)
// are loaded first, outside the measured time: what is left is the bundle's own initialization.
const { performance } = require('node:perf_hooks');

const [bundle, flag] = process.argv.slice(2);
if (flag === '--preload-builtins') {
  for (const name of ['stream', 'crypto', 'fs', 'fs/promises', 'os', 'path', 'buffer', 'http', 'https', 'zlib', 'process', 'url', 'child_process', 'util', 'timers', 'console']) require(`node:${name}`);
}
const start = performance.now();
const loaded = require(bundle);
const afterLoad = performance.now();
loaded.buildClients();
const end = performance.now();
process.stdout.write(`${JSON.stringify({ loadMs: afterLoad - start, clientsMs: end - afterLoad, initMs: end - start, sinceProcessStartMs: end })}\n`);
