// Writes data/fashion-mnist-sample/: the first 4000 train and 1000 test images (and labels) of Debian's
// dataset-fashion-mnist, as gzipped IDX files in the original format. Run: npx tsx scripts/make-fashion-mnist-sample.ts
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { encodeIdx } from '../src/data/idx.js';
import type { IdxArray } from '../src/data/idx.js';
import { readIdxFile } from '../src/data/node/idx-file.js';

const SOURCE = '/usr/share/datasets/fashion-mnist';
const TARGET = join(import.meta.dirname, '..', 'data', 'fashion-mnist-sample');
const COUNTS = { train: 4000, t10k: 1000 };

function head(array: IdxArray, n: number): IdxArray {
  const per = array.shape.slice(1).reduce((a, b) => a * b, 1);
  return { dtype: array.dtype, shape: [n, ...array.shape.slice(1)], data: array.data.slice(0, n * per) };
}

mkdirSync(TARGET, { recursive: true });
for (const [split, n] of Object.entries(COUNTS)) {
  for (const kind of ['images-idx3-ubyte', 'labels-idx1-ubyte']) {
    const name = `${split}-${kind}`;
    const full = await readIdxFile(join(SOURCE, `${name}.gz`));
    const bytes = gzipSync(encodeIdx(head(full, n)), { level: 9 });
    writeFileSync(join(TARGET, `${name}.gz`), bytes);
    console.log(`${name}.gz: ${n} of ${full.shape[0]} items, ${bytes.length} bytes`);
  }
}
