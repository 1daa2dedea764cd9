/**
 * Overhead parity (Lightning's `tests/parity_pytorch`): the same module, batches, Adam and seed trained by
 * (a) a hand-written loop on our nn/optim (`valueAndGrads` → zeroGrad → setGrad → step), (b) `Trainer.fit` with
 * `barebones: true` and (c) `Trainer.fit` with the defaults (logger, checkpointing, summary, progress bar), arms
 * interleaved run by run (a, b, c, a, b, c, ...) after a dropped 1-epoch warm-up run. Each timed run covers module
 * construction to the end of training, like Lightning's `measure_loops`; per-epoch time = run time / epochs.
 * Asserts that every arm's final loss equals the hand-written loop's to 5 decimal places (exit code 1 otherwise).
 * Run: npx tsx bench/overhead-parity.ts [--backend wasm] [--runs 7] [--rnn-epochs 3] [--mnist-epochs 2] [--json out.json]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Trainer, seedEverything, selectBackend, silenceWarning, tf, valueAndGrads } from '../src/index.js';
import type { BackendName, LightningModule, Scalar, TrainerOptions, TrainingStepOutput } from '../src/index.js';
import type { Optimizer } from '../src/optim/optimizer.js';
import { emitResult, fixed, flag, median, numberFlag } from './lib/common.js';
import { MNIST_WORKLOAD, RNN_WORKLOAD, averageDatasetBatches, fashionMnistBatches } from './lib/parity-models.js';
import type { PairBatch, ParityWorkload } from './lib/parity-models.js';

/** The three arms. */
export type Arm = 'hand-written loop' | 'Trainer barebones' | 'Trainer defaults';
const ARMS: readonly Arm[] = ['hand-written loop', 'Trainer barebones', 'Trainer defaults'];

interface ArmRun {
  totalMs: number;
  cpuMs: number;
  setupMs: number;
  loss: number;
  params: Float32Array;
  tensorDelta: number;
}

/** Results of one workload. */
export interface ParityResult {
  workload: string;
  backend: string;
  epochs: number;
  runs: number;
  batchesPerEpoch: number;
  arms: Array<{ arm: Arm; perEpochMs: number[]; medianPerEpochMs: number; medianCpuPerEpochMs: number; cpuRatio: number; medianSetupMs: number; ratio: number; losses: number[]; maxParamDiff: number; tensorDelta: number }>;
  lossesAgree: boolean;
}

/** The module's `trainingStep` (the parity modules all define it). */
function stepOf(module: LightningModule<PairBatch>): (batch: PairBatch, i: number) => TrainingStepOutput {
  if (module.trainingStep === undefined) throw new Error(`${module.constructor.name} defines no trainingStep.`);
  return module.trainingStep.bind(module);
}

/** Free an optimizer's state tensors (Adam's moments) when it has any. */
function disposeOptimizer(optimizer: Optimizer): void {
  const o = optimizer as Optimizer & { disposeState?: () => void };
  o.disposeState?.();
}

/** The hand-written loop: exactly the Trainer's numerics for automatic optimization with one optimizer. */
function handWritten(module: LightningModule<PairBatch>, batches: PairBatch[], epochs: number): void {
  module.train();
  const optimizer = module.configureOptimizers?.() as Optimizer | undefined;
  if (optimizer === undefined) throw new Error(`${module.constructor.name} defines no configureOptimizers.`);
  const params = module.parameters().filter((p) => p.requiresGrad);
  const trainingStep = stepOf(module);
  for (let epoch = 0; epoch < epochs; epoch++) {
    for (const [i, batch] of batches.entries()) {
      const { value, grads } = valueAndGrads(() => trainingStep(batch, i) as Scalar, params.map((p) => p.value));
      optimizer.zeroGrad();
      params.forEach((p, k) => {
        const g = grads[k];
        if (g !== null && g !== undefined) p.setGrad(g);
      });
      optimizer.step();
      value.dispose();
    }
  }
  optimizer.zeroGrad();
  disposeOptimizer(optimizer);
}

function flatParams(module: LightningModule<PairBatch>): Float32Array {
  const parts = module.parameters().map((p) => p.value.dataSync() as Float32Array);
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

async function runArm(arm: Arm, w: ParityWorkload, batches: PairBatch[], epochs: number, seed: number, backend: BackendName): Promise<ArmRun> {
  const tensorsBefore = tf.memory().numTensors;
  const rootDir = arm === 'Trainer defaults' ? mkdtempSync(join(tmpdir(), 'lt-parity-')) : undefined;
  let firstStepAt: number | undefined;
  const cpuStart = process.cpuUsage();
  const start = performance.now();
  seedEverything(seed);
  const module = w.build();
  const step = stepOf(module);
  module.trainingStep = (batch: PairBatch, i: number): TrainingStepOutput => {
    firstStepAt ??= performance.now();
    return step(batch, i);
  };
  let trainer: Trainer | undefined;
  if (arm === 'hand-written loop') handWritten(module, batches, epochs);
  else {
    const options: TrainerOptions = { maxEpochs: epochs, accelerator: backend, handleSignals: false };
    trainer = new Trainer(arm === 'Trainer barebones' ? { ...options, barebones: true } : { ...options, defaultRootDir: rootDir! });
    await trainer.fit(module, { trainDataloaders: batches });
  }
  const totalMs = performance.now() - start;
  const cpu = process.cpuUsage(cpuStart);
  const last = batches[batches.length - 1]!;
  module.eval();
  const loss = tf.tidy(() => w.loss(module, last).dataSync()[0]!);
  const params = flatParams(module);
  for (const opt of trainer?.optimizers ?? []) disposeOptimizer(opt);
  for (const p of module.parameters()) p.dispose();
  if (rootDir !== undefined) rmSync(rootDir, { recursive: true, force: true });
  return { totalMs, cpuMs: (cpu.user + cpu.system) / 1000, setupMs: (firstStepAt ?? start) - start, loss, params, tensorDelta: tf.memory().numTensors - tensorsBefore };
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return a.length === b.length ? m : Number.POSITIVE_INFINITY;
}

/** Measure one workload: a 1-epoch warm-up of every arm, then `runs` interleaved timed runs of `epochs` epochs. */
export async function measureParity(w: ParityWorkload, batches: PairBatch[], epochs: number, runs: number, backend: BackendName): Promise<ParityResult> {
  for (const arm of ARMS) await runArm(arm, w, batches, 1, 0, backend);
  const all = new Map<Arm, ArmRun[]>(ARMS.map((a) => [a, []]));
  for (let r = 1; r <= runs; r++) {
    for (const arm of ARMS) {
      if (typeof globalThis.gc === 'function') globalThis.gc();
      all.get(arm)!.push(await runArm(arm, w, batches, epochs, r, backend));
    }
  }
  const hand = all.get('hand-written loop')!;
  const handMedian = median(hand.map((x) => x.totalMs / epochs));
  const handCpuMedian = median(hand.map((x) => x.cpuMs / epochs));
  let agree = true;
  const arms = ARMS.map((arm) => {
    const xs = all.get(arm)!;
    const perEpochMs = xs.map((x) => x.totalMs / epochs);
    const m = median(perEpochMs);
    let maxParamDiff = 0;
    xs.forEach((x, i) => {
      maxParamDiff = Math.max(maxParamDiff, maxAbsDiff(x.params, hand[i]!.params));
      // numpy's assert_almost_equal(decimal=5): |a - b| < 1.5e-5.
      if (!(Math.abs(x.loss - hand[i]!.loss) < 1.5e-5)) agree = false;
    });
    return {
      arm,
      perEpochMs,
      medianPerEpochMs: m,
      medianCpuPerEpochMs: median(xs.map((x) => x.cpuMs / epochs)),
      cpuRatio: median(xs.map((x) => x.cpuMs / epochs)) / handCpuMedian,
      medianSetupMs: median(xs.map((x) => x.setupMs)),
      ratio: m / handMedian,
      losses: xs.map((x) => x.loss),
      maxParamDiff,
      tensorDelta: Math.max(...xs.map((x) => x.tensorDelta)),
    };
  });
  return { workload: w.name, backend: tf.getBackend(), epochs, runs, batchesPerEpoch: batches.length, arms, lossesAgree: agree };
}

function print(r: ParityResult): void {
  console.log(`\n${r.workload} on ${r.backend}: ${r.runs} runs × ${r.epochs} epochs × ${r.batchesPerEpoch} batches`);
  for (const a of r.arms) {
    console.log(
      `  ${a.arm.padEnd(18)} median ${fixed(a.medianPerEpochMs, 1).padStart(8)} ms/epoch  ×${fixed(a.ratio, 3)}  cpu ${fixed(a.medianCpuPerEpochMs, 1)} ms/epoch ×${fixed(a.cpuRatio, 3)}  setup ${fixed(a.medianSetupMs, 1)} ms  ` +
        `final loss ${a.losses.map((l) => l.toFixed(6)).join(' ')}  max |Δparam| ${a.maxParamDiff.toExponential(1)}  tensors +${a.tensorDelta}`,
    );
  }
  console.log(`  losses agree to 5 decimals: ${r.lossesAgree ? 'yes' : 'NO'}`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  silenceWarning('LT1202');
  const backend = (flag('backend') ?? 'wasm') as BackendName;
  await selectBackend(backend);
  const runs = numberFlag('runs', 7);
  const only = flag('only');
  const results: ParityResult[] = [];
  if (only === undefined || only === 'rnn') {
    const batches = averageDatasetBatches();
    results.push(await measureParity(RNN_WORKLOAD, batches, numberFlag('rnn-epochs', 3), runs, backend));
    print(results[results.length - 1]!);
    tf.dispose(batches);
  }
  if (only === undefined || only === 'mnist') {
    const batches = await fashionMnistBatches();
    results.push(await measureParity(MNIST_WORKLOAD, batches, numberFlag('mnist-epochs', 2), runs, backend));
    print(results[results.length - 1]!);
    tf.dispose(batches);
  }
  emitResult(results);
  if (results.some((r) => !r.lossesAgree)) {
    console.error('FAIL: the arms disagree on the final loss (5 decimal places).');
    process.exitCode = 1;
  }
}
