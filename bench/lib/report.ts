/** Markdown for BENCHMARKS.md from the benchmarks' JSON results (used by `bench/run-all.ts`). */
import type { ColdStartRow } from '../cold-start.js';
import type { ParityResult } from '../overhead-parity.js';
import type { ThroughputRow } from '../throughput.js';
import { fixed } from './common.js';

/** One benchmark process as run-all ran it. */
export interface BenchRun {
  key: string;
  command: string;
  seconds: number;
  exitCode: number | null;
  timedOut: boolean;
  output: string;
  result: unknown;
  loadAfter: number;
}

/** The machine and the moment of the run. */
export interface Machine {
  cpu: string;
  cores: number;
  memGiB: number;
  node: string;
  torch: string;
  loadBefore: number[];
  date: string;
}

/** What the profiles showed (`node --cpu-prof` of the runs named; re-profile when the code changes). */
const OVERHEAD_NOTE = [
  '**Where the Trainer\'s time goes** (profiled with `node --cpu-prof --cpu-prof-interval 100` on a 64-128-10 MLP, batch 32, 3 000 steps, where fixed ' +
    'per-step costs are most visible): the Trainer\'s own frames (`TrainingEpochLoop.run`, the automatic-optimization closure, `HookDispatcher.timed`/' +
    '`callModuleSync`/`callCallbacks`, `Progress.increment`, `disposeTensors`, `maybeYield`) take about 0.05–0.1 ms of CPU per step with `barebones` ' +
    'and about 0.15 ms with the defaults, against 1.5–3 ms for the step itself (kernels: forward, backward, Adam). That is below 1 % for the RNN (≈100 ms ' +
    'steps) and about 1–3 % for the LitMNIST MLP (≈5–10 ms steps); on this shared machine the run-to-run spread (±10–20 %) is larger than the effect, ' +
    'so a single run can show either arm ahead. A profile of LitMNIST (6 epochs × 63 batches, barebones vs hand-written, 200 µs sampling) shows the ' +
    'same frames at ≈0.25 ms per step plus ≈0.15 ms more garbage collection (the per-step arrays, closures and promises below), i.e. 2–4 % of a 9 ms step. ' +
    'Measurable, fixable costs in `src/`:',
  '- `HookDispatcher` (src/trainer/hook-dispatcher.ts) builds the profiler label `` `[Callback]${cb.stateKey}.${hook}` `` for every callback on every hook ' +
    'call even when no profiler is attached, and `ModelCheckpoint.stateKey` re-serialises its options each time (`generateStateKey`: ≈0.6 µs a call, ' +
    '6 hook calls per step per callback; 62 ms of 15 s in the defaults profile). Fix: build the label only when `this.timer !== undefined`, and cache `stateKey`.',
  '- The automatic-optimization closure (src/trainer/loops/optimization.ts) calls `module.parameters().filter(...)` on every step (≈9 µs for LitMNIST, which ' +
    'walks its metric submodules too). Fix: resolve the trainable parameters once per fit (and when `configureOptimizers`/`freeze` changes them).',
  '- Every batch awaits `callCallbacks`/`callModule` for hooks nobody implements (a promise and a microtask each). Fix: precompute, per hook, the callbacks ' +
    'that define it, and skip the `await` when the list is empty and the module hook is the base no-op.',
  '- With the defaults, the first timed run also pays for lazily loading the logger and checkpoint modules (≈0.8 s of module loading in a single-run ' +
    'profile); the benchmark\'s warm-up run absorbs it, a user\'s first `fit` does not (see Cold start).',
].join('\n');

const COLD_START_NOTE = [
  '**Where the import time goes** (one process importing each dependency in turn, compiled sources; ms under the same load): `@tensorflow/tfjs-core` ' +
    '≈200, `@tensorflow/tfjs-layers` ≈140 (imported only because it registers TF.js\'s gradients), `tfjs-backend-cpu` ≈25, `tfjs-backend-wasm` ≈40, ' +
    '`zod` ≈100, `@bufbuild/protobuf` ≈75, `yaml` ≈70, `cli-progress` ≈15, lightning-ts\'s own modules ≈115. Most of it is V8 parsing and compiling ' +
    'the 1.2–1.5 MB TF.js bundles. From import to the first `trainingStep` takes only ≈80–130 ms more (backend init, Trainer, loggers). What would fix it:',
  '- Load `zod` (src/checkpoint/serialize.ts), `yaml` (src/loggers/hparams-file.ts) and `@bufbuild/protobuf` (src/loggers/tensorboard/*) with a dynamic ' +
    '`import()` on first use instead of at import time: ≈250 ms, none of them is needed before the first checkpoint or TensorBoard write.',
  '- Register TF.js\'s gradients without `@tensorflow/tfjs-layers`: bundle tfjs-core\'s `register_all_gradients` (its ESM files cannot be imported by Node ' +
    'directly) into one small file at build time: ≈140 ms.',
  '- On Node ≥ 22.1, `module.enableCompileCache()` caches V8\'s compiled code of the TF.js bundles between runs (not available on Node 20 here).',
  'With the first two, import would drop from ≈600 ms to ≈250 ms on an idle machine; below 150 ms needs the compile cache or a lighter tfjs-core entry.',
].join('\n');

/** Per-epoch overhead targets of issue 8. */
const OVERHEAD_TARGET: Record<string, number> = { 'Trainer barebones': 0.01, 'Trainer defaults': 0.03 };

function table(head: string[], rows: string[][], align: string[]): string {
  return [`| ${head.join(' | ')} |`, `|${align.join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

function status(run: BenchRun): string {
  if (run.timedOut) return `**timed out** after ${fixed(run.seconds, 0)} s`;
  return run.exitCode === 0 ? `${fixed(run.seconds, 0)} s` : `**failed** (exit ${run.exitCode ?? 'killed'}) after ${fixed(run.seconds, 0)} s`;
}

function failure(run: BenchRun): string {
  return `Command: \`${run.command}\` — ${status(run)}, no result. Output:\n\n\`\`\`\n${run.output.slice(-3000)}\n\`\`\``;
}

/** File header: machine, date, load and how to run. */
export function renderHeader(m: Machine, runs: BenchRun[], seconds: number): string {
  return [
    '# Benchmarks',
    '',
    `Latest \`npm run bench\` (= \`npx tsx bench/run-all.ts\`, ${fixed(seconds / 60, 1)} min): ${m.date}, ${m.cpu}, ${m.cores} vCPUs, ` +
      `${fixed(m.memGiB, 0)} GiB, Node ${m.node}, PyTorch ${m.torch} (Debian \`python3-torch\` with \`libopenblas0\`). ` +
      `Load average before the run ${m.loadBefore.map((x) => fixed(x, 1)).join(' / ')} (1/5/15 min); this machine is shared with other jobs, ` +
      'so absolute times move by ±30 % between runs: compare the ratios, which are measured interleaved in one process.',
    '',
    'Every benchmark runs in its own Node process with stdout piped (not a TTY). Each section names its command; ' +
      '`npx tsx bench/run-all.ts --quick` is a one-minute smoke run, `--skip overhead,coldstart,throughput,memory,dataloader,...` leaves some out. ' +
      'The sections "Overhead parity", "Cold start", "Throughput vs PyTorch", "Memory" and the raw output at the end are rewritten by each run; ' +
      'the other sections are curated by their owners from the commands they name and are kept as they are.',
    '',
    table(['benchmark', 'command', 'time', 'load after'], runs.map((r) => [r.key, `\`${r.command}\``, status(r), fixed(r.loadAfter, 1)]), ['---', '---', '---:', '---:']),
  ].join('\n');
}

/** The overhead-parity section. */
export function renderOverhead(run: BenchRun): string {
  const results = run.result as ParityResult[] | undefined;
  const out = ['## Overhead parity', ''];
  if (results === undefined) return [...out, failure(run)].join('\n');
  out.push(
    `Command: \`${run.command}\`. Lightning's parity test (\`tests/parity_pytorch\`) in TypeScript: the same module, pre-built batches (same order), ` +
      'Adam and seed trained by a hand-written loop on our `nn`/`optim` (`valueAndGrads` → `zeroGrad` → `setGrad` → `step`), by `Trainer.fit` with ' +
      '`barebones: true`, and by `Trainer.fit` with the defaults (logger, checkpointing, model summary, progress bar when there is one; temporary `defaultRootDir`), ' +
      'interleaved run by run after a 1-epoch warm-up of each arm. A run is timed from `seedEverything` and module construction to the end of training ' +
      '(as Lightning\'s `measure_loops`), per-epoch time = run time / epochs; wall time (Lightning\'s measure) and the process\'s CPU time ' +
      '(user + system, far less sensitive to other jobs on a shared machine). Overhead = median of the arm / median of the hand-written loop − 1. The final loss (of the last batch, recomputed ' +
      'on the trained weights) must agree with the hand-written loop to 5 decimal places in every run, or the benchmark fails.',
    '',
  );
  for (const r of results) {
    out.push(`**${r.workload}** on ${r.backend}, ${r.runs} runs × ${r.epochs} epochs × ${r.batchesPerEpoch} batches:`, '');
    const hand = r.arms[0]!;
    const rows = r.arms.map((a) => {
      const target = OVERHEAD_TARGET[a.arm];
      const overhead = a.ratio - 1;
      const cpuOverhead = a.cpuRatio - 1;
      const isHand = a.arm === 'hand-written loop';
      const pct = (x: number): string => `${x >= 0 ? '+' : ''}${fixed(x * 100, 1)} %`;
      const verdict = target === undefined ? '–' : `≤ ${fixed(target * 100, 0)} %: wall ${overhead <= target ? 'met' : '**missed**'}, CPU ${cpuOverhead <= target ? 'met' : '**missed**'}`;
      const perStepUs = ((a.medianCpuPerEpochMs - hand.medianCpuPerEpochMs) / r.batchesPerEpoch) * 1000;
      return [
        a.arm,
        fixed(a.medianPerEpochMs, 1),
        isHand ? '–' : pct(overhead),
        fixed(a.medianCpuPerEpochMs, 1),
        isHand ? '–' : pct(cpuOverhead),
        isHand ? '–' : fixed(perStepUs, 0),
        verdict,
        fixed(a.medianSetupMs, 1),
        a.losses.map((l) => l.toFixed(5)).join(', '),
        a.maxParamDiff === 0 ? '0 (bitwise equal)' : a.maxParamDiff.toExponential(1),
        String(a.tensorDelta),
      ];
    });
    out.push(
      table(
        ['arm', 'median wall ms/epoch', 'wall overhead', 'median CPU ms/epoch', 'CPU overhead', 'CPU µs/step over hand', 'target', 'setup ms (to 1st step)', 'final loss per run', 'max abs Δ weights', 'tensors left'],
        rows,
        ['---', '---:', '---:', '---:', '---:', '---:', '---', '---:', '---', '---:', '---:'],
      ),
      '',
    );
    out.push(`Final losses agree to 5 decimal places: **${r.lossesAgree ? 'yes' : 'NO'}**. Per-epoch times of each run (ms): ` +
      r.arms.map((a) => `${a.arm} ${a.perEpochMs.map((t) => fixed(t, 0)).join(', ')}`).join('; ') + '.', '');
  }
  out.push(OVERHEAD_NOTE);
  return out.join('\n').trimEnd();
}

/** The cold-start section. */
export function renderColdStart(run: BenchRun): string {
  const res = run.result as { runs: number; rows: ColdStartRow[] } | undefined;
  const out = ['## Cold start', ''];
  if (res === undefined) return [...out, failure(run)].join('\n');
  out.push(
    `Command: \`${run.command}\`. A fresh Node process imports lightning-ts, builds \`new Trainer()\` with the defaults (backend "auto" → wasm here, ` +
      'logger, checkpointing) and fits a Linear(4, 1) until its first `trainingStep`. Times are ms since process start (Node\'s `performance.now()` origin), ' +
      `medians of ${res.runs} processes per variant, interleaved, after one warm-up each. "compiled" runs the sources transpiled to JavaScript once ` +
      '(how an installed package runs); "tsx" compiles TypeScript on the fly (how the examples run).',
    '',
    table(
      ['variant', 'import alone', 'import done at', 'first trainingStep at', 'fit done at', 'process wall', 'targets (import < 150, step < 500)'],
      res.rows.map((r) => [
        r.variant,
        fixed(r.importMs, 0),
        fixed(r.importDoneMs, 0),
        fixed(r.firstStepMs, 0),
        fixed(r.fitDoneMs, 0),
        fixed(r.wallMs, 0),
        `import ${r.importMs < 150 ? 'met' : '**missed**'}, first step ${r.firstStepMs < 500 ? 'met' : '**missed**'}`,
      ]),
      ['---', '---:', '---:', '---:', '---:', '---:', '---'],
    ),
    '',
    COLD_START_NOTE,
  );
  return out.join('\n');
}

/** The throughput-vs-PyTorch section. */
export function renderThroughput(run: BenchRun): string {
  const res = run.result as { rounds: number; backends: string[]; rows: ThroughputRow[]; skipped: string[]; torch: Record<string, unknown> } | undefined;
  const out = ['## Throughput vs PyTorch', ''];
  if (res === undefined) return [...out, failure(run)].join('\n');
  out.push(
    `Command: \`${run.command}\`. ms per training step (forward + backward + Adam lr 1e-3, loss read back every step), same shapes and random data, ` +
      `lightning-ts \`nn\`/\`optim\` on each available backend (${res.backends.join(', ')}) vs PyTorch on 2 threads (\`bench/pytorch_throughput.py\`, a persistent ` +
      `\`/usr/bin/python3\` child), ${res.rounds} interleaved rounds (each round runs a chunk of steps of every arm, after 2 untimed steps). ` +
      '"×" is the arm\'s median over PyTorch\'s median; "fastest" is the least-disturbed step of each arm (this machine is shared: other jobs slow ' +
      'PyTorch\'s two threads more than single-threaded wasm, so the medians understate PyTorch and the fastest steps are the fairer comparison).',
    '',
    table(
      ['workload', 'arm', 'steps', 'median ms/step', '× PyTorch', 'fastest ms/step', '× PyTorch (fastest)'],
      res.rows.map((r) => [r.workload, r.arm, String(r.steps), fixed(r.medianMs, 2), fixed(r.ratio, 1), fixed(r.fastestMs, 2), fixed(r.ratioFastest, 1)]),
      ['---', '---', '---:', '---:', '---:', '---:', '---:'],
    ),
  );
  if (res.skipped.length > 0) out.push('', `Not run: ${res.skipped.join(', ')} (the pure-JS cpu backend needs more than 50 s per CNN step).`);
  return out.join('\n');
}

/** The memory section. */
export function renderMemory(run: BenchRun): string {
  type Mem = { steps: number; seconds: number; backend: string; peakRssMB: number; rssGrowthFrom1kMB: number; tensorsFirst: number; tensorsLast: number; tensorsMax: number; bytesFirst: number; bytesLast: number; samples: Array<{ step: number; numTensors: number; rssMB: number; heapMB?: number; externalMB?: number }> };
  const res = run.result as Mem | undefined;
  const out = ['## Memory', ''];
  if (res === undefined) return [...out, failure(run)].join('\n');
  const flat = res.tensorsLast <= res.tensorsFirst;
  out.push(
    `Command: \`${run.command}\`. \`Trainer.fit\` with the defaults (CSV logger, a checkpoint every epoch, \`log()\` every step) trains a 64-128-10 MLP ` +
      `(Adam, batch 32, 100 batches per epoch) for ${res.steps} steps on ${res.backend} (${fixed(res.seconds, 1)} s); a callback samples \`tf.memory()\` and the RSS every 500 steps.`,
    '',
    table(
      ['peak RSS', 'RSS growth, step 1 000 → end', 'tensors (first sample → last, max)', 'tensor bytes (first → last)', 'tensor count flat'],
      [[`${fixed(res.peakRssMB, 0)} MB`, `${fixed(res.rssGrowthFrom1kMB, 1)} MB`, `${res.tensorsFirst} → ${res.tensorsLast} (max ${res.tensorsMax})`, `${res.bytesFirst} → ${res.bytesLast}`, flat ? 'yes' : '**NO**']],
      ['---:', '---:', '---:', '---:', '---'],
    ),
    '',
    `Samples (step: tensors, RSS MB, JS heap MB, external MB): ${res.samples.filter((_, i) => i % 4 === 0 || i === res.samples.length - 1).map((s) => `${s.step}: ${s.numTensors}, ${fixed(s.rssMB, 0)}, ${fixed(s.heapMB ?? NaN, 0)}, ${fixed(s.externalMB ?? NaN, 0)}`).join('; ')}.`,
  );
  return out.join('\n');
}

/** Raw output of the other helpers' benchmarks (their curated sections stay as they are). */
export function renderOther(runs: BenchRun[]): string | undefined {
  if (runs.length === 0) return undefined;
  const out = ['## Other benchmarks (raw output of the last run)', ''];
  for (const r of runs) out.push(`\`${r.command}\` — ${status(r)}:`, '', '```', r.output.slice(-4000), '```', '');
  return out.join('\n').trimEnd();
}
