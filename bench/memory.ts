/**
 * Memory over a long run: `Trainer.fit` with the defaults (CSV logger, checkpoint every epoch, summary) trains a
 * small MLP (64-128-10, Adam, batch 32, 100 pre-built batches per epoch) for 10 000 steps; every 500 steps a callback
 * samples `tf.memory()` (tensor count and bytes) and the RSS. Reports the peak RSS, the RSS growth from step 1 000
 * on, and whether the tensor count stays flat (exit code 1 when it grows).
 * Run: npx tsx bench/memory.ts [--steps 10000] [--backend wasm] [--json out.json]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Callback, LightningModule, Trainer, nn, optim, seedEverything, selectBackend, tf } from '../src/index.js';
import type { BackendName, OptimizerConfigOutput, Scalar, Tensor, TrainerContext } from '../src/index.js';
import { emitResult, fixed, flag, numberFlag } from './lib/common.js';

type Batch = [Tensor, Tensor];

class SmallMlp extends LightningModule<Batch> {
  readonly l1 = new nn.Linear(64, 128);
  readonly l2 = new nn.Linear(128, 10);
  override trainingStep([x, y]: Batch): Scalar {
    const loss = nn.functional.crossEntropy(this.l2.call(tf.relu(this.l1.call(x))), y) as Scalar;
    this.log('train_loss', loss);
    return loss;
  }
  override configureOptimizers(): OptimizerConfigOutput {
    return new optim.Adam(this.parameters(), { lr: 1e-3 });
  }
}

/** One sample of the run's memory. */
export interface MemorySample {
  step: number;
  numTensors: number;
  numBytes: number;
  rssMB: number;
  heapMB: number;
  externalMB: number;
}

class MemorySampler extends Callback {
  readonly samples: MemorySample[] = [];
  constructor(private readonly every: number) {
    super();
  }
  override onTrainBatchEnd(trainer: TrainerContext): void {
    const step = trainer.globalStep;
    if (step % this.every !== 0) return;
    const m = tf.memory();
    const u = process.memoryUsage();
    this.samples.push({ step, numTensors: m.numTensors, numBytes: m.numBytes, rssMB: u.rss / 2 ** 20, heapMB: u.heapUsed / 2 ** 20, externalMB: u.external / 2 ** 20 });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const steps = numberFlag('steps', 10_000);
  await selectBackend((flag('backend') ?? 'wasm') as BackendName);
  seedEverything(0);
  const batches: Batch[] = Array.from({ length: 100 }, () => [tf.randomNormal([32, 64]), tf.randomUniform([32], 0, 10, 'int32')]);
  const root = mkdtempSync(join(tmpdir(), 'lt-memory-'));
  const sampler = new MemorySampler(500);
  const trainer = new Trainer({ maxSteps: steps, defaultRootDir: root, callbacks: [sampler], handleSignals: false });
  const start = performance.now();
  await trainer.fit(new SmallMlp(), { trainDataloaders: batches });
  const seconds = (performance.now() - start) / 1000;
  rmSync(root, { recursive: true, force: true });
  const s = sampler.samples;
  const first = s[0]!;
  const last = s[s.length - 1]!;
  const from1k = s.find((x) => x.step >= 1000) ?? first;
  const result = {
    steps: trainer.globalStep,
    seconds,
    backend: tf.getBackend(),
    peakRssMB: process.resourceUsage().maxRSS / 1024,
    rssGrowthFrom1kMB: last.rssMB - from1k.rssMB,
    tensorsFirst: first.numTensors,
    tensorsLast: last.numTensors,
    tensorsMax: Math.max(...s.map((x) => x.numTensors)),
    bytesFirst: first.numBytes,
    bytesLast: last.numBytes,
    samples: s,
  };
  console.log(
    `${result.steps} steps in ${fixed(seconds, 1)} s on ${result.backend}: tensors ${result.tensorsFirst} at step ${first.step} → ${result.tensorsLast} at step ${last.step} (max ${result.tensorsMax}); ` +
      `tf bytes ${first.numBytes} → ${last.numBytes}; peak RSS ${fixed(result.peakRssMB, 0)} MB; RSS ${fixed(from1k.rssMB, 0)} MB at step ${from1k.step} → ${fixed(last.rssMB, 0)} MB; ` +
      `JS heap ${fixed(from1k.heapMB, 0)} → ${fixed(last.heapMB, 0)} MB; external (wasm memory, buffers) ${fixed(from1k.externalMB, 0)} → ${fixed(last.externalMB, 0)} MB`,
  );
  emitResult(result);
  if (result.tensorsLast > result.tensorsFirst) {
    console.error('FAIL: the tensor count grew during the run.');
    process.exitCode = 1;
  }
}
