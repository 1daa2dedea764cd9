/**
 * Throughput vs PyTorch: median ms per training step (forward + backward + Adam lr 1e-3, loss read back) for the
 * MLP 784-128-256-10 at batch 64 and 256 and a small CNN (conv3x3(32) → conv3x3(64) → maxpool2 → dense128 →
 * dense10, batch 64) with lightning-ts's nn/optim on each available backend and with PyTorch (Debian's
 * python3-torch, 2 threads, `bench/pytorch_throughput.py` as a persistent child), the same shapes, interleaved:
 * every round runs a chunk of steps of each arm in turn.
 * Run: npx tsx bench/throughput.ts [--rounds 3] [--backends native,wasm,cpu] [--python /usr/bin/python3] [--json out.json]
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { nn, optim, selectBackend, tf, valueAndGrads } from '../src/index.js';
import type { BackendName, Tensor } from '../src/index.js';
import { emitResult, fixed, flag, median, numberFlag } from './lib/common.js';

/** One workload: model, batch, timed steps per chunk (per backend), and backends it is too slow for. */
interface Workload {
  key: string;
  label: string;
  model: 'mlp' | 'cnn';
  batch: number;
  steps: Partial<Record<string, number>> & { default: number };
  skip: string[];
}

const WORKLOADS: Workload[] = [
  { key: 'mlp64', label: 'MLP 784-128-256-10, batch 64', model: 'mlp', batch: 64, steps: { default: 30, cpu: 5 }, skip: [] },
  { key: 'mlp256', label: 'MLP 784-128-256-10, batch 256', model: 'mlp', batch: 256, steps: { default: 20, cpu: 3 }, skip: [] },
  { key: 'cnn64', label: 'CNN conv32-conv64-pool-128-10, batch 64', model: 'cnn', batch: 64, steps: { default: 4, torch: 10, native: 10 }, skip: ['cpu'] },
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
function tsChunk(w: Workload, steps: number, warmup = 2): number[] {
  const { forward, modules, shape } = buildModel(w.model);
  const params = modules.flatMap((m) => m.parameters());
  const x = tf.randomNormal([w.batch, ...shape]);
  const y = tf.randomUniform([w.batch], 0, 10, 'int32');
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
  if (leaked !== 0) throw new Error(`${w.key}: ${leaked} tensors leaked`);
  return times;
}

/** A persistent PyTorch worker answering one command per line. */
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

/** One row: a workload on one arm. */
export interface ThroughputRow {
  workload: string;
  arm: string;
  steps: number;
  medianMs: number;
  fastestMs: number;
  ratio: number;
  ratioFastest: number;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const rounds = numberFlag('rounds', 3);
  const requested = (flag('backends') ?? 'native,wasm,cpu').split(',') as BackendName[];
  const backends: string[] = [];
  for (const b of requested) {
    try {
      await selectBackend(b);
      backends.push(b);
    } catch (e) {
      console.log(`backend ${b} unavailable: ${(e as Error).message}`);
    }
  }
  const torch = new TorchWorker(flag('python') ?? '/usr/bin/python3');
  await torch.start();
  const arms = [...backends, 'torch'];
  const times = new Map<string, number[]>();
  for (let r = 0; r < rounds; r++) {
    for (const w of WORKLOADS) {
      for (const arm of arms) {
        if (w.skip.includes(arm)) continue;
        const steps = w.steps[arm] ?? w.steps.default;
        let chunk: number[];
        if (arm === 'torch') chunk = await torch.run(w, steps);
        else {
          await selectBackend(arm as BackendName);
          chunk = tsChunk(w, steps);
        }
        const key = `${w.key}/${arm}`;
        times.set(key, [...(times.get(key) ?? []), ...chunk]);
      }
    }
  }
  torch.close();
  const rows: ThroughputRow[] = [];
  for (const w of WORKLOADS) {
    const ref = times.get(`${w.key}/torch`) ?? [];
    for (const arm of arms) {
      const xs = times.get(`${w.key}/${arm}`);
      if (xs === undefined) continue;
      const row = {
        workload: w.label,
        arm: arm === 'torch' ? `PyTorch ${String(torch.info.torch)} (${String(torch.info.threads)} threads)` : `lightning-ts ${arm}`,
        steps: xs.length,
        medianMs: median(xs),
        fastestMs: Math.min(...xs),
        ratio: median(xs) / median(ref),
        ratioFastest: Math.min(...xs) / Math.min(...ref),
      };
      rows.push(row);
      console.log(`${w.label.padEnd(42)} ${row.arm.padEnd(32)} median ${fixed(row.medianMs, 2).padStart(8)} ms  ×${fixed(row.ratio, 1)}  fastest ${fixed(row.fastestMs, 2)} ms ×${fixed(row.ratioFastest, 1)}  (${row.steps} steps)`);
    }
  }
  const skipped = WORKLOADS.flatMap((w) => w.skip.filter((b) => backends.includes(b)).map((b) => `${w.key} on ${b}`));
  emitResult({ rounds, backends, torch: torch.info, rows, skipped });
}
