/**
 * Optimizer step cost, per-tensor vs flat (one flattened update per param group) vs auto, side by side: median ms
 * per `optimizer.step()` and kernels dispatched per step (tf.profile), for 100 small parameter tensors, 16 medium
 * and 4 large ones, with Adam and SGD+momentum, on the wasm and cpu backends.
 * Run: npx tsx bench/optimizer-dispatch.ts [steps=60]
 */
import { tf } from '../src/runtime/tf.js';
import type { Tensor } from '../src/runtime/tf.js';
import { selectBackend } from '../src/runtime/backend.js';
import { Parameter } from '../src/nn/parameter.js';
import { Adam, SGD } from '../src/optim/index.js';
import type { ElementwiseOptimizer, UpdateImplementation } from '../src/optim/index.js';

const steps = Number(process.argv[2] ?? 60);
const warmup = 5;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** 50 × Linear(16, 16): 100 tensors, 13,600 elements; 40 × [64, 64]; 16 × [128, 128]; 4 × [512, 512]: 1,048,576. */
const MODELS: Record<string, number[][]> = {
  '100 small tensors': Array.from({ length: 50 }, () => [[16, 16], [16]]).flat(),
  '40 tensors of 4096': Array.from({ length: 40 }, () => [64, 64]),
  '16 medium tensors': Array.from({ length: 16 }, () => [128, 128]),
  '4 large tensors': Array.from({ length: 4 }, () => [512, 512]),
};

const OPTIMIZERS: Record<string, (ps: Parameter[], implementation: UpdateImplementation) => ElementwiseOptimizer<{ lr: number }>> = {
  Adam: (ps, implementation) => new Adam(ps, { lr: 1e-3, implementation }),
  'SGD+momentum': (ps, implementation) => new SGD(ps, { lr: 1e-2, momentum: 0.9, implementation }),
};

async function measure(shapes: number[][], make: (typeof OPTIMIZERS)[string], impl: UpdateImplementation): Promise<{ ms: number; kernels: number }> {
  const params = shapes.map((s) => new Parameter(tf.randomNormal(s)));
  const grads: Tensor[] = shapes.map((s) => tf.randomNormal(s, 0, 0.01));
  params.forEach((p, i) => (p.grad = grads[i]!));
  const opt = make(params, impl);
  const times: number[] = [];
  for (let s = 0; s < warmup + steps; s++) {
    const t0 = performance.now();
    opt.step();
    params[0]!.value.dataSync();
    if (s >= warmup) times.push(performance.now() - t0);
  }
  const before = tf.memory().numTensors;
  const info = await tf.profile(() => {
    opt.step();
  });
  const leaked = tf.memory().numTensors - before;
  if (leaked !== 0) throw new Error(`${impl}: ${leaked} tensors leaked per step`);
  opt.disposeState();
  params.forEach((p) => {
    p.grad = null;
    p.dispose();
  });
  tf.dispose(grads);
  return { ms: median(times), kernels: info.kernels.length };
}

async function main(): Promise<void> {
  for (const backend of ['wasm', 'cpu'] as const) {
    await selectBackend(backend);
    console.log(`\n## backend ${backend} (median of ${steps} steps after ${warmup} warm-up)`);
    console.log('| model | optimizer | per-tensor ms (kernels) | flat ms (kernels) | auto ms | flat speed-up |');
    console.log('|---|---|---|---|---|---|');
    for (const [model, shapes] of Object.entries(MODELS)) {
      for (const [name, make] of Object.entries(OPTIMIZERS)) {
        const per = await measure(shapes, make, 'per-tensor');
        const flat = await measure(shapes, make, 'flat');
        const auto = await measure(shapes, make, 'auto');
        console.log(
          `| ${model} | ${name} | ${per.ms.toFixed(3)} (${per.kernels}) | ${flat.ms.toFixed(3)} (${flat.kernels}) | ${auto.ms.toFixed(3)} | ${(per.ms / flat.ms).toFixed(2)}x |`,
        );
      }
    }
  }
}

await main();
