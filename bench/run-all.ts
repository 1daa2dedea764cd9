/**
 * `npm run bench`: runs every benchmark in its own Node process (stdout piped, never a TTY), then rewrites
 * BENCHMARKS.md: the header (machine, date, load, commands), the sections this runner generates (overhead parity,
 * cold start, throughput vs PyTorch, memory, raw output of the other benchmarks), and every other `## ` section
 * of the existing file kept as it is (they are curated by hand). Exit code 1 when a benchmark's own assertion fails
 * (final losses of the overhead arms disagree, tensor count grows) or a benchmark crashes.
 * The runs are also saved to node_modules/.cache/lightning-ts-bench/last-run.json; `--render` rewrites BENCHMARKS.md
 * from that file without running anything (to iterate on the report).
 * Run: npx tsx bench/run-all.ts [--quick] [--skip overhead,coldstart,...] [--render]
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { flag } from './lib/common.js';
import { renderColdStart, renderHeader, renderMemory, renderOther, renderOverhead, renderThroughput } from './lib/report.js';
import type { BenchRun, Machine } from './lib/report.js';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const quick = process.argv.includes('--quick');
const skip = new Set((flag('skip') ?? '').split(',').filter((s) => s !== ''));
const work = mkdtempSync(join(tmpdir(), 'lt-bench-'));

/** Run `bench/<script>` with tsx in a child process; returns its output, JSON result (if any) and timing. */
function runBench(key: string, script: string, args: string[], timeoutS: number, withJson = true): BenchRun {
  const json = join(work, `${key}.json`);
  const argv = ['--expose-gc', '--import', 'tsx', join('bench', script), ...args, ...(withJson ? ['--json', json] : [])];
  const command = `npx tsx bench/${script} ${args.join(' ')}`.trim();
  process.stdout.write(`▶ ${command}\n`);
  const start = performance.now();
  const r = spawnSync(process.execPath, argv, { cwd: repo, encoding: 'utf8', timeout: timeoutS * 1000, maxBuffer: 64 * 2 ** 20 });
  const seconds = (performance.now() - start) / 1000;
  const output = `${r.stdout}${r.stderr}`.split('\n').filter((l) => !l.startsWith('npm warn')).join('\n').trim();
  process.stdout.write(`${output}\n  (${seconds.toFixed(1)} s, exit ${r.status ?? r.signal})\n\n`);
  const result: unknown = withJson && existsSync(json) ? JSON.parse(readFileSync(json, 'utf8')) : undefined;
  return { key, command, seconds, exitCode: r.status, timedOut: r.signal === 'SIGTERM', output, result, loadAfter: loadavg()[0] ?? 0 };
}

function torchVersion(): string {
  const r = spawnSync('/usr/bin/python3', ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : 'not installed';
}

/** Split a markdown file into its `## ` sections (title → text including the heading); headings inside code fences are text. */
function sections(text: string): Map<string, string> {
  const out = new Map<string, string>();
  let title: string | undefined;
  let lines: string[] = [];
  let fenced = false;
  const flush = (): void => {
    if (title !== undefined) out.set(title, lines.join('\n').trimEnd());
  };
  for (const line of text.split('\n')) {
    if (/^(```|~~~)/.test(line)) fenced = !fenced;
    if (!fenced && line.startsWith('## ')) {
      flush();
      title = line.slice(3).trim();
      lines = [];
    }
    lines.push(line);
  }
  flush();
  return out;
}

const GENERATED = ['Overhead parity', 'Cold start', 'Throughput vs PyTorch', 'Memory', 'Other benchmarks (raw output of the last run)'];

const cacheFile = join(repo, 'node_modules', '.cache', 'lightning-ts-bench', 'last-run.json');
const started = performance.now();
let machine: Machine = {
  cpu: cpus()[0]?.model ?? 'unknown CPU',
  cores: cpus().length,
  memGiB: totalmem() / 2 ** 30,
  node: process.version,
  torch: torchVersion(),
  loadBefore: loadavg(),
  date: new Date().toISOString().slice(0, 16).replace('T', ' ') + ' UTC',
};
let runs: BenchRun[] = [];
const render = process.argv.includes('--render');
const want = (key: string): boolean => !skip.has(key) && !render;
if (want('overhead')) runs.push(runBench('overhead', 'overhead-parity.ts', quick ? ['--runs', '2', '--rnn-epochs', '1', '--mnist-epochs', '1'] : ['--runs', '7', '--rnn-epochs', '1', '--mnist-epochs', '2'], 600));
if (want('coldstart')) runs.push(runBench('coldstart', 'cold-start.ts', ['--runs', quick ? '2' : '7'], 300));
if (want('throughput')) runs.push(runBench('throughput', 'throughput.ts', ['--rounds', quick ? '1' : '3'], 600));
if (want('memory')) runs.push(runBench('memory', 'memory.ts', ['--steps', quick ? '1000' : '10000'], 600));
const others: Array<[string, string, string[]]> = [
  ['dataloader', 'dataloader.ts', quick ? ['1', '500', '10000'] : ['3', '1000', '20000']],
  ['runtime-patches', 'runtime-patches.ts', [quick ? '10' : '30']],
  ['optimizer-dispatch', 'optimizer-dispatch.ts', [quick ? '5' : '10']],
];
for (const f of readdirSync(join(repo, 'bench')).filter((n) => /^native-.*\.ts$/.test(n)).sort()) others.push([f.replace(/\.ts$/, ''), f, []]);
for (const [key, script, args] of others) {
  if (want(key) && existsSync(join(repo, 'bench', script))) runs.push(runBench(key, script, args, 240, false));
}
rmSync(work, { recursive: true, force: true });
let totalSeconds = (performance.now() - started) / 1000;
if (render) ({ machine, runs, totalSeconds } = JSON.parse(readFileSync(cacheFile, 'utf8')) as { machine: Machine; runs: BenchRun[]; totalSeconds: number });
else {
  mkdirSync(dirname(cacheFile), { recursive: true });
  writeFileSync(cacheFile, JSON.stringify({ machine, runs, totalSeconds }));
}

const path = join(repo, 'BENCHMARKS.md');
const kept = existsSync(path) ? sections(readFileSync(path, 'utf8')) : new Map<string, string>();
const byKey = (k: string): BenchRun | undefined => runs.find((r) => r.key === k);
const generated = new Map<string, string | undefined>([
  ['Overhead parity', byKey('overhead') && renderOverhead(byKey('overhead')!)],
  ['Cold start', byKey('coldstart') && renderColdStart(byKey('coldstart')!)],
  ['Throughput vs PyTorch', byKey('throughput') && renderThroughput(byKey('throughput')!)],
  ['Memory', byKey('memory') && renderMemory(byKey('memory')!)],
  ['Other benchmarks (raw output of the last run)', renderOther(runs.filter((r) => others.some(([k]) => k === r.key)))],
]);
const parts = [renderHeader(machine, runs, totalSeconds)];
for (const title of GENERATED.slice(0, 4)) {
  const text = generated.get(title) ?? kept.get(title);
  if (text !== undefined) parts.push(text);
}
for (const [title, text] of kept) if (!GENERATED.includes(title)) parts.push(text);
const other = generated.get(GENERATED[4]!) ?? kept.get(GENERATED[4]!);
if (other !== undefined) parts.push(other);
writeFileSync(path, `${parts.join('\n\n')}\n`);
console.log(`BENCHMARKS.md rewritten (${totalSeconds.toFixed(0)} s of benchmarks).`);
const failed = runs.filter((r) => r.exitCode !== 0);
if (failed.length > 0) {
  console.error(`FAILED: ${failed.map((r) => `${r.key} (exit ${r.exitCode ?? 'killed'})`).join(', ')}`);
  process.exitCode = 1;
}
