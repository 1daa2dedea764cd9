/**
 * One full Fashion-MNIST training epoch (54 000 images, batch 64, 844 steps) of the main job's model (LitMNIST
 * 784-128-256-10, Adam 1e-3) through `Trainer.fit`, on the native backend and on wasm, interleaved run by run.
 * Reports the train-epoch time (onTrainEpochStart → onTrainEpochEnd, so data loading, logging and optimizer steps
 * count, validation does not) and the whole fit (with validation on 6 000 images). No logger, checkpoint or bar.
 * Needs Debian's dataset-fashion-mnist (/usr/share/datasets/fashion-mnist).
 * `--profile` adds one more native epoch with per-kernel timing (kernel calls and ms per step, slowest first).
 * Run: npx tsx bench/native-epoch.ts [--runs 2] [--arms native,wasm] [--profile]
 */
import { Callback, Trainer, seedEverything } from '../src/index.js';
import type { BackendName } from '../src/index.js';
import { FashionMNISTDataModule } from '../examples/fashion-mnist/datamodule.js';
import { LitMNIST } from '../examples/fashion-mnist/lit-mnist.js';
import { loadavg } from 'node:os';
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

export async function oneEpoch(accelerator: BackendName): Promise<{ epochMs: number; fitMs: number; valAcc: number }> {
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

interface NativeModule {
  setNativeProfiling(enabled: boolean): void;
  nativeProfile(): Array<{ kernel: string; calls: number; ms: number; native: boolean }>;
}

/** One more native epoch with per-kernel timing; prints and returns kernel calls and ms per training step. */
async function profileNativeEpoch(): Promise<Array<{ kernel: string; callsPerStep: number; msPerStep: number; native: boolean }>> {
  const specifier = '@lightning-ts/backend-native';
  const mod = (await import(specifier)) as NativeModule;
  const steps = 844 + 24; // training steps + validation batches (the profile covers the whole fit)
  mod.setNativeProfiling(true);
  const res = await oneEpoch('native');
  const kernels = mod.nativeProfile().map((k) => ({ kernel: k.kernel, callsPerStep: k.calls / steps, msPerStep: k.ms / steps, native: k.native }));
  mod.setNativeProfiling(false);
  const inKernels = kernels.reduce((a, k) => a + k.msPerStep, 0);
  const calls = kernels.reduce((a, k) => a + k.callsPerStep, 0);
  console.log(`\nprofiled native epoch: train epoch ${fixed(res.epochMs / 1000, 2)} s; per step (${steps} incl. validation): ${fixed(inKernels, 3)} ms in ${fixed(calls, 1)} kernels`);
  for (const k of kernels.slice(0, 25)) console.log(`  ${k.kernel.padEnd(28)} ${k.native ? 'native' : 'cpu-js'} ${fixed(k.callsPerStep, 2).padStart(6)} calls ${fixed(k.msPerStep, 3).padStart(7)} ms`);
  return kernels;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const runs = numberFlag('runs', 2);
  const arms = (flag('arms') ?? 'native,wasm').split(',') as BackendName[];
  const load = (): string => loadavg().map((x) => fixed(x, 2)).join(', ');
  console.log(`load average at start: ${load()}`);
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
  const nativeRuns = results.get('native') ?? [];
  const wasmRuns = results.get('wasm') ?? [];
  const pairRatios = nativeRuns.slice(0, wasmRuns.length).map((n, i) => (wasmRuns[i]?.epochMs ?? Number.NaN) / n.epochMs);
  if (pairRatios.length > 0) console.log(`per-run wasm/native: ${pairRatios.map((r) => fixed(r, 2)).join(' / ')} (median ×${fixed(median(pairRatios), 2)})`);
  console.log(`load average at end: ${load()}`);
  const profile = process.argv.includes('--profile') ? await profileNativeEpoch() : undefined;
  emitResult({ runs, rows, pairRatios, load: loadavg(), profile });
}
