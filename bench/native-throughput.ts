/**
 * The native backend against PyTorch: median ms per training step (forward + backward + Adam lr 1e-3, loss read
 * back) for the MLP 784-128-256-10 at batch 64 and 256 and the CNN conv3x3(32) → conv3x3(64) → maxpool2 → dense128
 * → dense10 at batch 64, with lightning-ts's nn/optim on `native` (and optionally wasm) and PyTorch on 2 threads
 * (`bench/pytorch_throughput.py` as a persistent child), interleaved: each round runs a chunk of every arm in turn.
 * `--profile` adds a per-kernel breakdown of native steps (where the time goes).
 * Run: npx tsx bench/native-throughput.ts [--rounds 5] [--arms native,wasm] [--profile] [--json out.json]
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { nn, optim, selectBackend, tf, valueAndGrads } from '../src/index.js';
import type { BackendName, Tensor } from '../src/index.js';
import { emitResult, fixed, flag, median, numberFlag } from './lib/common.js';

interface Workload {
  key: string;
  label: string;
  model: 'mlp' | 'cnn';
  batch: number;
  /** Timed steps per chunk, per arm. */
  steps: Record<string, number>;
}

const WORKLOADS: Workload[] = [
  { key: 'mlp64', label: 'MLP 784-128-256-10, batch 64', model: 'mlp', batch: 64, steps: { native: 40, wasm: 30, torch: 40 } },
  { key: 'mlp256', label: 'MLP 784-128-256-10, batch 256', model: 'mlp', batch: 256, steps: { native: 30, wasm: 20, torch: 30 } },
  { key: 'cnn64', label: 'CNN conv32-conv64-pool-128-10, batch 64', model: 'cnn', batch: 64, steps: { native: 10, wasm: 2, torch: 10 } },
];

function buildModel(model: 'mlp' | 'cnn'): { forward: (x: Tensor) => Tensor; modules: nn.Module[]; shape: number[] } {
  if (model === 'mlp') {
    const l = [new nn.Linear(784, 128), new nn.Linear(128, 256), new nn.Linear(256, 10)] as const;
    return { modules: [...l], shape: [784], forward: (x) => l[2].call(tf.relu(l[1].call(tf.relu(l[0].call(x))))) };
  }
  const c1 = new nn.Conv2d(1, 32, 3);
  const c2 = new nn.Conv2d(32, 64, 3);
  const pool = new nn.MaxPool2d(2);
  const d1 = new nn.Linear(64 * 12 * 12, 128);
  const d2 = new nn.Linear(128, 10);
  return {
    modules: [c1, c2, pool, d1, d2],
    shape: [1, 28, 28],
    forward: (x) => {
      const h = pool.call(tf.relu(c2.call(tf.relu(c1.call(x)))));
      return d2.call(tf.relu(d1.call(tf.reshape(h, [h.shape[0] ?? -1, 64 * 12 * 12]))));
    },
  };
}

/** Time `warmup + steps` training steps on the current backend; returns the timed steps' ms. */
export function trainingChunk(model: 'mlp' | 'cnn', batch: number, steps: number, warmup = 2): number[] {
  const { forward, modules, shape } = buildModel(model);
  const params = modules.flatMap((m) => m.parameters());
  const x = tf.randomNormal([batch, ...shape]);
  const y = tf.randomUniform([batch], 0, 10, 'int32');
  const opt = new optim.Adam(params, { lr: 1e-3 });
  const times: number[] = [];
  const before = tf.memory().numTensors;
  for (let s = 0; s < warmup + steps; s++) {
    const t0 = performance.now();
    const { value, grads } = valueAndGrads(() => nn.functional.crossEntropy(forward(x), y), params.map((p) => p.value));
    opt.zeroGrad();
    params.forEach((p, i) => {
      const g = grads[i];
      if (g !== null && g !== undefined) p.setGrad(g);
    });
    opt.step();
    value.dataSync();
    value.dispose();
    if (s >= warmup) times.push(performance.now() - t0);
  }
  opt.zeroGrad();
  opt.disposeState();
  const leaked = tf.memory().numTensors - before;
  params.forEach((p) => p.dispose());
  tf.dispose([x, y]);
  if (leaked !== 0) throw new Error(`${model} b${batch}: ${leaked} tensors leaked`);
  return times;
}

/** A persistent PyTorch worker answering one command per line (bench/pytorch_throughput.py). */
class TorchWorker {
  private readonly child;
  private readonly lines: AsyncIterator<string>;
  info: Record<string, unknown> = {};

  constructor(python: string) {
    const script = join(dirname(fileURLToPath(import.meta.url)), 'pytorch_throughput.py');
    this.child = spawn(python, [script], { stdio: ['pipe', 'pipe', 'inherit'] });
    this.lines = createInterface({ input: this.child.stdout })[Symbol.asyncIterator]();
  }

  private async next(): Promise<Record<string, unknown>> {
    const { value, done } = await this.lines.next();
    if (done === true) throw new Error('the PyTorch worker exited (is python3-torch installed for /usr/bin/python3?)');
    return JSON.parse(value) as Record<string, unknown>;
  }

  async start(): Promise<void> {
    this.info = await this.next();
  }

  async run(w: Workload, steps: number): Promise<number[]> {
    this.child.stdin.write(`${JSON.stringify({ model: w.model, batch: w.batch, steps, warmup: 2 })}\n`);
    return (await this.next()).times as number[];
  }

  close(): void {
    this.child.stdin.end();
  }
}

interface NativeModule {
  setNativeProfiling(enabled: boolean): void;
  nativeProfile(): Array<{ kernel: string; calls: number; ms: number; native: boolean }>;
}

/** Per-kernel ms per step of `steps` native training steps (kernel time only; the rest is JS around kernels). */
async function profileNative(w: Workload, steps: number): Promise<{ stepMs: number; kernels: Array<{ kernel: string; callsPerStep: number; msPerStep: number; native: boolean }> }> {
  const specifier = '@lightning-ts/backend-native';
  const mod = (await import(specifier)) as NativeModule;
  await selectBackend('native');
  trainingChunk(w.model, w.batch, 2, 1);
  mod.setNativeProfiling(true);
  const times = trainingChunk(w.model, w.batch, steps, 0);
  const profile = mod.nativeProfile();
  mod.setNativeProfiling(false);
  return {
    stepMs: median(times),
    kernels: profile.map((k) => ({ kernel: k.kernel, callsPerStep: k.calls / steps, msPerStep: k.ms / steps, native: k.native })),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const rounds = numberFlag('rounds', 5);
  const arms: string[] = [];
  for (const b of (flag('arms') ?? 'native').split(',')) {
    try {
      await selectBackend(b as BackendName);
      arms.push(b);
    } catch (e) {
      console.log(`backend ${b} unavailable: ${(e as Error).message}`);
    }
  }
  const torch = new TorchWorker(flag('python') ?? '/usr/bin/python3');
  await torch.start();
  arms.push('torch');
  const times = new Map<string, number[]>();
  const perRound = new Map<string, number[]>();
  for (let r = 0; r < rounds; r++) {
    for (const w of WORKLOADS) {
      for (const arm of arms) {
        const steps = w.steps[arm] ?? 10;
        let chunk: number[];
        if (arm === 'torch') chunk = await torch.run(w, steps);
        else {
          await selectBackend(arm as BackendName);
          chunk = trainingChunk(w.model, w.batch, steps);
        }
        const key = `${w.key}/${arm}`;
        times.set(key, [...(times.get(key) ?? []), ...chunk]);
        perRound.set(key, [...(perRound.get(key) ?? []), median(chunk)]);
      }
    }
  }
  torch.close();
  const rows = [];
  for (const w of WORKLOADS) {
    const ref = times.get(`${w.key}/torch`) ?? [];
    for (const arm of arms) {
      const xs = times.get(`${w.key}/${arm}`) ?? [];
      const row = {
        workload: w.label,
        arm: arm === 'torch' ? `PyTorch ${String(torch.info.torch)} (${String(torch.info.threads)} threads)` : `lightning-ts ${arm}`,
        steps: xs.length,
        medianMs: median(xs),
        fastestMs: Math.min(...xs),
        ratio: median(xs) / median(ref),
        ratioFastest: Math.min(...xs) / Math.min(...ref),
        roundMedians: perRound.get(`${w.key}/${arm}`) ?? [],
      };
      rows.push(row);
      console.log(
        `${w.label.padEnd(42)} ${row.arm.padEnd(30)} median ${fixed(row.medianMs, 2).padStart(8)} ms ×${fixed(row.ratio, 2)}  fastest ${fixed(row.fastestMs, 2)} ms ×${fixed(row.ratioFastest, 2)}  rounds ${row.roundMedians.map((m) => fixed(m, 1)).join('/')}`,
      );
    }
  }
  const profiles: Record<string, unknown> = {};
  if (process.argv.includes('--profile') && arms.includes('native')) {
    for (const w of WORKLOADS) {
      const p = await profileNative(w, w.model === 'cnn' ? 5 : 20);
      profiles[w.key] = p;
      const inKernels = p.kernels.reduce((a, k) => a + k.msPerStep, 0);
      console.log(`\n${w.label}: ${fixed(p.stepMs, 2)} ms/step profiled, ${fixed(inKernels, 2)} ms in kernels`);
      for (const k of p.kernels.slice(0, 14)) {
        console.log(`  ${k.kernel.padEnd(28)} ${fixed(k.msPerStep, 3).padStart(8)} ms  ${fixed(k.callsPerStep, 1).padStart(5)} calls${k.native ? '' : '  (cpu JS)'}`);
      }
    }
  }
  emitResult({ rounds, arms, torch: torch.info, load: (await import('node:os')).loadavg(), rows, profiles });
}
