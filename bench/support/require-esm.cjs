// Lets the benchmarks (CommonJS under tsx) load the functions' TypeScript sources: @middy/* publish
// only an "import" export, which Node's CommonJS resolver refuses. Resolve such a request to the
// package's ESM entry ourselves; Node 22 then loads it with require(esm). The jest resolver
// (test/resolver.cjs) does the same for the tests; bundles never need it (esbuild resolves both).
const Module = require('node:module');
const fs = require('node:fs');
const path = require('node:path');

const original = Module._resolveFilename;
Module._resolveFilename = function resolveFilename(request, parent, isMain, options) {
  try {
    return original.call(this, request, parent, isMain, options);
  } catch (error) {
    if (error.code !== 'ERR_PACKAGE_PATH_NOT_EXPORTED' || !/^@middy\//.test(request)) throw error;
    const [scope, name, ...rest] = request.split('/');
    const subpath = rest.length ? `./${rest.join('/')}` : '.';
    const from = parent?.filename ? fs.realpathSync(parent.filename) : path.join(process.cwd(), 'index.js');
    for (let dir = path.dirname(from); ; dir = path.dirname(dir)) {
      const pkgDir = path.join(dir, 'node_modules', scope, name);
      const manifest = path.join(pkgDir, 'package.json');
      if (fs.existsSync(manifest)) {
        const entry = JSON.parse(fs.readFileSync(manifest, 'utf8')).exports?.[subpath]?.import;
        const target = typeof entry === 'string' ? entry : entry?.default;
        if (target) return path.join(pkgDir, target);
        throw error;
      }
      if (path.dirname(dir) === dir) throw error;
    }
  }
};
