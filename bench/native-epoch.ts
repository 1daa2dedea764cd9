/**
 * One full Fashion-MNIST training epoch (54 000 images, batch 64, 844 steps) of the main job's model (LitMNIST
 * 784-128-256-10, Adam 1e-3) through `Trainer.fit`, on the native backend and on wasm, interleaved run by run.
 * Reports the train-epoch time (onTrainEpochStart → onTrainEpochEnd, so data loading, logging and optimizer steps
 * count, validation does not) and the whole fit (with validation on 6 000 images). No logger, checkpoint or bar.
 * Needs Debian's dataset-fashion-mnist (/usr/share/datasets/fashion-mnist).
 * Run: npx tsx bench/native-epoch.ts [--runs 2] [--arms native,wasm]
 */
import { Callback, Trainer, seedEverything } from '../src/index.js';
import type { BackendName } from '../src/index.js';
import { FashionMNISTDataModule } from '../examples/fashion-mnist/datamodule.js';
import { LitMNIST } from '../examples/fashion-mnist/lit-mnist.js';
import { emitResult, fixed, flag, median, numberFlag } from './lib/common.js';

class EpochTimer extends Callback {
  start = 0;
  epochMs = 0;
  override onTrainEpochStart(): void {
    this.start = performance.now();
  }
  override onTrainEpochEnd(): void {
    this.epochMs = performance.now() - this.start;
  }
}

async function oneEpoch(accelerator: BackendName): Promise<{ epochMs: number; fitMs: number; valAcc: number }> {
  seedEverything(42);
  const timer = new EpochTimer();
  const trainer = new Trainer({
    maxEpochs: 1,
    accelerator,
    logger: false,
    enableCheckpointing: false,
    enableProgressBar: false,
    enableModelSummary: false,
    callbacks: [timer],
  });
  const model = new LitMNIST();
  const t0 = performance.now();
  await trainer.fit(model, { datamodule: new FashionMNISTDataModule({ full: true }) });
  const fitMs = performance.now() - t0;
  const valAcc = Number(trainer.callbackMetrics.val_acc ?? Number.NaN);
  return { epochMs: timer.epochMs, fitMs, valAcc };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const runs = numberFlag('runs', 2);
  const arms = (flag('arms') ?? 'native,wasm').split(',') as BackendName[];
  const results = new Map<string, Array<{ epochMs: number; fitMs: number; valAcc: number }>>();
  for (let r = 0; r < runs; r++) {
    for (const arm of arms) {
      const res = await oneEpoch(arm);
      results.set(arm, [...(results.get(arm) ?? []), res]);
      console.log(`run ${r + 1} ${arm.padEnd(7)} train epoch ${fixed(res.epochMs / 1000, 2)} s, fit ${fixed(res.fitMs / 1000, 2)} s, val_acc ${fixed(res.valAcc, 4)}`);
    }
  }
  const rows = arms.map((arm) => {
    const xs = results.get(arm) ?? [];
    return { arm, epochMs: median(xs.map((x) => x.epochMs)), fastestEpochMs: Math.min(...xs.map((x) => x.epochMs)), fitMs: median(xs.map((x) => x.fitMs)), runs: xs };
  });
  const base = rows.find((r) => r.arm === 'wasm');
  for (const row of rows) {
    const speedup = base === undefined ? Number.NaN : base.epochMs / row.epochMs;
    console.log(`${row.arm.padEnd(7)} median train epoch ${fixed(row.epochMs / 1000, 2)} s (fastest ${fixed(row.fastestEpochMs / 1000, 2)} s), fit ${fixed(row.fitMs / 1000, 2)} s, ×${fixed(speedup, 2)} vs wasm`);
  }
  emitResult({ runs, rows });
}
