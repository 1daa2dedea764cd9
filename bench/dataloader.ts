/**
 * DataLoader epoch time with numWorkers 0, 1 and 2 over a dataset whose samples need a CPU-heavy "transform"
 * (a deterministic integer loop per sample), batch 64, tensors built on the main thread and disposed. Reports the
 * median (and the fastest) of several epochs per setting, measured interleaved in one run, and the speed-up over
 * 0 workers, both with workers started per epoch (the default) and with `persistentWorkers: true`. On a shared
 * machine the median absorbs other jobs' load; the fastest run shows what the threads give when the CPUs are free.
 * Run: npx tsx bench/dataloader.ts [repeats=5] [samples=2000] [work=20000]
 */
import { availableParallelism } from 'node:os';
import { selectBackend } from '../src/runtime/backend.js';
import { DataLoader } from '../src/data/dataloader.js';
import { disposeBatch } from '../src/data/collate.js';
import { datasetFromModule } from '../src/data/worker-spec.js';

const repeats = Number(process.argv[2] ?? 5);
const n = Number(process.argv[3] ?? 2000);
const work = Number(process.argv[4] ?? 20000);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[m] ?? NaN) : ((s[m - 1] ?? NaN) + (s[m] ?? NaN)) / 2;
}

async function epoch(loader: DataLoader): Promise<number> {
  const start = performance.now();
  let batches = 0;
  for await (const batch of loader) {
    disposeBatch(batch);
    batches++;
  }
  if (batches !== loader.length) throw new Error(`expected ${loader.length} batches, got ${batches}`);
  return performance.now() - start;
}

await selectBackend('cpu');
const dataset = await datasetFromModule({
  modulePath: new URL('../tests/data/helpers/slow-dataset.ts', import.meta.url).href,
  exportName: 'createSlowDataset',
  args: [{ n, features: 784, work }],
});
const settings = [
  { label: 'numWorkers 0', options: { numWorkers: 0 } },
  { label: 'numWorkers 1', options: { numWorkers: 1 } },
  { label: 'numWorkers 2', options: { numWorkers: 2 } },
  { label: 'numWorkers 1, persistent', options: { numWorkers: 1, persistentWorkers: true } },
  { label: 'numWorkers 2, persistent', options: { numWorkers: 2, persistentWorkers: true } },
];
const loaders = settings.map((s) => new DataLoader(dataset, { batchSize: 64, shuffle: true, seed: 0, ...s.options }));
const times: number[][] = settings.map(() => []);
for (const loader of loaders) await epoch(loader); // warm-up (JIT, persistent workers started)
for (let r = 0; r < repeats; r++) {
  for (const [k, loader] of loaders.entries()) times[k]!.push(await epoch(loader));
}
await Promise.all(loaders.map((l) => l.close()));

const base = median(times[0]!);
const baseMin = Math.min(...times[0]!);
console.log(`DataLoader epoch: ${n} samples × ${work} transform iterations, batch 64, ${availableParallelism()} CPUs, median of ${repeats}`);
for (const [k, s] of settings.entries()) {
  const m = median(times[k]!);
  const best = Math.min(...times[k]!);
  console.log(
    `${s.label.padEnd(26)} median ${m.toFixed(0).padStart(5)} ms ×${(base / m).toFixed(2)} | fastest ${best.toFixed(0).padStart(5)} ms ×${(baseMin / best).toFixed(2)}   (runs: ${times[k]!.map((t) => t.toFixed(0)).join(', ')})`,
  );
}
