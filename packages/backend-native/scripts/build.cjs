// npm install hook: build the addon with node-gyp. A failed build (no compiler, no OpenBLAS/oneDNN headers) is
// reported and tolerated, so installing lightning-ts never fails because of this optional backend.
'use strict';
const { spawnSync } = require('node:child_process');
const { join } = require('node:path');

if (process.env.LIGHTNING_NATIVE_SKIP_BUILD === '1') {
  console.log('@lightning-ts/backend-native: build skipped (LIGHTNING_NATIVE_SKIP_BUILD=1).');
  process.exit(0);
}
const gyp = process.env.npm_config_node_gyp;
const [cmd, args] = gyp ? [process.execPath, [gyp, 'rebuild']] : ['node-gyp', ['rebuild']];
const r = spawnSync(cmd, args, { cwd: join(__dirname, '..'), stdio: 'inherit', shell: process.platform === 'win32' });
if (r.status !== 0) {
  console.warn(
    '\n@lightning-ts/backend-native: the native addon was not built, so lightning-ts will use another backend.\n' +
      '  To enable it: install OpenBLAS and oneDNN (Debian/Ubuntu: apt-get install build-essential libopenblas-dev libdnnl-dev;\n' +
      '  Fedora: dnf install gcc-c++ openblas-devel onednn-devel; macOS: brew install openblas onednn libomp),\n' +
      '  then run `npm rebuild @lightning-ts/backend-native`.',
  );
}
process.exit(0);
