/**
 * Median ms per MLP training step (784-128-256-10, batch 64, forward + backward + plain SGD) on wasm, side by
 * side: fully stock TF.js; with only our transpose-free BatchMatMul gradient; with only our wasm BatchMatMul
 * kernel wrap (flags → explicit transpose); and with both (what lightning-ts runs).
 * Run: npx tsx bench/runtime-patches.ts [steps=60]
 */
import { tf } from '../src/runtime/tf.js';
import type { Tensor } from '../src/runtime/tf.js';
import { selectBackend } from '../src/runtime/backend.js';
import { valueAndGrads } from '../src/runtime/autograd.js';
import { Linear } from '../src/nn/linear.js';
import { batchMatMulGrad } from '../src/runtime/patches/matmul-grad.js';
import { unwrapWasmMatMul, wrapWasmMatMul } from '../src/runtime/patches/wasm-matmul-kernel.js';
import { stockGradients } from '../src/runtime/patches.js';

const steps = Number(process.argv[2] ?? 60);
const warmup = 10;
const lr = 0.01;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[m] ?? NaN) : ((s[m - 1] ?? NaN) + (s[m] ?? NaN)) / 2;
}

function run(label: string): number {
  const layers = [new Linear(784, 128), new Linear(128, 256), new Linear(256, 10)];
  const params = layers.flatMap((l) => l.parameters());
  const x = tf.randomNormal([64, 784]);
  const y = tf.oneHot(tf.randomUniform([64], 0, 10, 'int32'), 10);
  const forward = (): Tensor => {
    let h: Tensor = x;
    layers.forEach((l, i) => {
      h = l.call(h);
      if (i < layers.length - 1) h = tf.relu(h);
    });
    return tf.neg(tf.mean(tf.sum(tf.mul(y, tf.logSoftmax(h)), 1)));
  };
  const times: number[] = [];
  const before = tf.memory().numTensors;
  for (let s = 0; s < warmup + steps; s++) {
    const t0 = performance.now();
    const { value, grads } = valueAndGrads(forward, params.map((p) => p.value));
    tf.tidy(() => {
      params.forEach((p, i) => {
        const g = grads[i];
        if (g) p.value.assign(tf.sub(p.value, tf.mul(g, lr)));
      });
    });
    value.dataSync();
    value.dispose();
    tf.dispose(grads.filter((g): g is Tensor => g !== null));
    if (s >= warmup) times.push(performance.now() - t0);
  }
  const leaked = tf.memory().numTensors - before;
  layers.forEach((l) => l.dispose());
  tf.dispose([x, y]);
  const med = median(times);
  console.log(`${label.padEnd(28)} median ${med.toFixed(2)} ms/step over ${steps} steps (tensor delta ${leaked})`);
  return med;
}

await selectBackend('wasm');
const stock = stockGradients.BatchMatMul;
if (stock === undefined) throw new Error('stock BatchMatMul gradient not found');
const variants: Array<{ label: string; patchedGrad: boolean; wrappedKernel: boolean }> = [
  { label: 'stock (no patches)', patchedGrad: false, wrappedKernel: false },
  { label: 'gradient patch only', patchedGrad: true, wrappedKernel: false },
  { label: 'kernel wrap only', patchedGrad: false, wrappedKernel: true },
  { label: 'both (lightning-ts)', patchedGrad: true, wrappedKernel: true },
];
const results = new Map<string, number[]>(variants.map((v) => [v.label, []]));
for (let round = 0; round < 2; round++) {
  for (const v of variants) {
    tf.registerGradient(v.patchedGrad ? batchMatMulGrad : stock);
    if (v.wrappedKernel) wrapWasmMatMul();
    else unwrapWasmMatMul();
    results.get(v.label)?.push(run(v.label));
  }
}
tf.registerGradient(batchMatMulGrad);
wrapWasmMatMul();
const base = median(results.get('stock (no patches)') ?? []);
console.log('\nwasm MLP 784-128-256-10, batch 64, SGD — median of per-round medians:');
for (const v of variants) {
  const m = median(results.get(v.label) ?? []);
  console.log(`  ${v.label.padEnd(22)} ${m.toFixed(2)} ms/step  (${(base / m).toFixed(2)}× vs stock)`);
}
