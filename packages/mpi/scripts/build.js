'use strict';
// Install script: compiles the addon with node-gyp when an MPI is installed. Without MPI it prints what to install and
// exits 0, so a plain `npm install` never needs MPI; the loader repeats the hint when the addon is first used.
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { detect } = require('./mpi-flags.js');
const { installHint } = require('../hints.js');

const root = path.join(__dirname, '..');
const force = process.argv.includes('--force');
const flags = detect();
if (flags === null) {
  const msg = `@lightning-ts/mpi: no MPI installation found, so the addon was not built (DDP with devices > 1 needs it).\n${installHint()}\n`;
  process.stderr.write(msg);
  process.exit(force ? 1 : 0);
}

function nodeGyp() {
  const candidates = [
    process.env.npm_config_node_gyp,
    (() => {
      try {
        return require.resolve('node-gyp/bin/node-gyp.js');
      } catch {
        return undefined;
      }
    })(),
    path.join(path.dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
  ];
  return candidates.find((c) => c !== undefined && c.length > 0 && fs.existsSync(c));
}

const gyp = nodeGyp();
const args = ['rebuild'];
const prefix = path.join(path.dirname(process.execPath), '..');
// Use this Node's own headers when they are installed (distro packages and official tarballs): no download needed.
if (process.env.npm_config_nodedir === undefined && fs.existsSync(path.join(prefix, 'include', 'node', 'node_api.h'))) {
  args.push(`--nodedir=${prefix}`);
}
const cmd = gyp !== undefined ? [process.execPath, [gyp, ...args]] : ['npx', ['--yes', 'node-gyp', ...args]];
process.stderr.write(`@lightning-ts/mpi: building against ${flags.source}\n`);
const r = spawnSync(cmd[0], cmd[1], { cwd: root, stdio: 'inherit' });
if (r.status !== 0) {
  process.stderr.write(`@lightning-ts/mpi: the build failed (see above). Rebuild with: node ${path.join(root, 'scripts', 'build.js')} --force\n`);
  process.exit(r.status ?? 1);
}
