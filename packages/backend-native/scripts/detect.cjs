// Build-time probe for binding.gyp: where OpenBLAS and oneDNN live on this machine, printed as gyp list items.
// Usage: node scripts/detect.cjs include|libs|defines|cflags
'use strict';
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const prefixes = [
  process.env.LIGHTNING_NATIVE_PREFIX,
  '/usr',
  '/usr/local',
  '/opt/homebrew',
  '/opt/homebrew/opt/openblas',
  '/opt/homebrew/opt/onednn',
  '/usr/local/opt/openblas',
  '/usr/local/opt/onednn',
].filter((p) => typeof p === 'string' && p.length > 0);

function find(header) {
  for (const p of prefixes) {
    for (const sub of ['include', 'include/openblas', 'include/x86_64-linux-gnu', 'include/aarch64-linux-gnu']) {
      if (existsSync(join(p, sub, header))) return { prefix: p, include: join(p, sub) };
    }
  }
  return undefined;
}

const blas = find('cblas.h');
const dnnl = process.env.LIGHTNING_NATIVE_NO_DNNL === '1' ? undefined : find('dnnl.hpp');
const isMac = process.platform === 'darwin';
const what = process.argv[2];
const out = [];
if (what === 'include') {
  for (const f of [blas, dnnl]) if (f !== undefined && !out.includes(f.include)) out.push(f.include);
} else if (what === 'libs') {
  for (const f of [blas, dnnl]) if (f !== undefined && f.prefix !== '/usr') out.push(`-L${join(f.prefix, 'lib')}`);
  out.push(isMac && blas === undefined ? '-framework Accelerate' : '-lopenblas');
  if (dnnl !== undefined) out.push('-ldnnl');
  if (!isMac) out.push('-fopenmp');
} else if (what === 'defines') {
  if (dnnl === undefined) out.push('LNATIVE_NO_DNNL');
} else if (what === 'cflags') {
  if (!isMac) out.push('-fopenmp');
  if (process.arch === 'x64' && process.env.LIGHTNING_NATIVE_PORTABLE !== '1') out.push('-march=native');
}
process.stdout.write(out.join(' '));
