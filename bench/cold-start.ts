/**
 * Cold start: wall time from process start to the first `trainingStep` (import + `new Trainer()` + `fit`), and the
 * import alone, over fresh Node processes; the sources run (a) transpiled to JavaScript once (how an installed
 * package runs) and (b) through tsx (TypeScript compiled on the fly), interleaved. Also the spawn-to-exit wall time.
 * Run: npx tsx bench/cold-start.ts [--runs 7] [--json out.json]
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { emitResult, fixed, median, numberFlag } from './lib/common.js';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = join(repo, 'node_modules', '.cache', 'lightning-ts-bench');

function* tsFiles(dir: string): Generator<string> {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* tsFiles(path);
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) yield path;
  }
}

/** Transpile src/ and the child script to plain ESM JavaScript (type-stripping only, like a build). */
function transpile(): string {
  const files = [...tsFiles(join(repo, 'src')), join(repo, 'bench', 'cold-start-child.ts')];
  for (const file of files) {
    const js = ts.transpileModule(readFileSync(file, 'utf8'), {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: true },
      fileName: file,
    }).outputText;
    const target = join(outDir, relative(repo, file)).replace(/\.ts$/, '.js');
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, js);
  }
  writeFileSync(join(outDir, 'package.json'), '{ "type": "module" }\n');
  return join(outDir, 'bench', 'cold-start-child.js');
}

interface Marks {
  beforeImport: number;
  afterImport: number;
  firstStep: number;
  fitDone: number;
  backend: string;
  wallMs: number;
}

function once(args: string[]): Marks {
  const start = performance.now();
  const out = execFileSync(process.execPath, args, { cwd: repo, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const wallMs = performance.now() - start;
  const line = out.split('\n').find((l) => l.startsWith('COLD_START '));
  if (line === undefined) throw new Error(`cold-start child printed no result:\n${out}`);
  return { ...(JSON.parse(line.slice('COLD_START '.length)) as Omit<Marks, 'wallMs'>), wallMs };
}

/** Medians of one variant. */
export interface ColdStartRow {
  variant: string;
  importMs: number;
  importDoneMs: number;
  firstStepMs: number;
  fitDoneMs: number;
  wallMs: number;
  backend: string;
}

function summarise(variant: string, xs: Marks[]): ColdStartRow {
  return {
    variant,
    importMs: median(xs.map((m) => m.afterImport - m.beforeImport)),
    importDoneMs: median(xs.map((m) => m.afterImport)),
    firstStepMs: median(xs.map((m) => m.firstStep)),
    fitDoneMs: median(xs.map((m) => m.fitDone)),
    wallMs: median(xs.map((m) => m.wallMs)),
    backend: xs[0]?.backend ?? '?',
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const runs = numberFlag('runs', 7);
  const compiled = transpile();
  const variants: Array<[string, string[]]> = [
    ['compiled JavaScript (node)', [compiled]],
    ['TypeScript sources (node --import tsx)', ['--import', 'tsx', join(repo, 'bench', 'cold-start-child.ts')]],
  ];
  for (const [, args] of variants) once(args); // warm the OS file cache and tsx's transform cache
  const marks = variants.map((): Marks[] => []);
  for (let r = 0; r < runs; r++) variants.forEach(([, args], k) => marks[k]!.push(once(args)));
  const rows = variants.map(([name], k) => summarise(name, marks[k]!));
  for (const r of rows) {
    console.log(`${r.variant.padEnd(40)} import ${fixed(r.importMs, 0)} ms (done at ${fixed(r.importDoneMs, 0)} ms)  first trainingStep at ${fixed(r.firstStepMs, 0)} ms  fit done ${fixed(r.fitDoneMs, 0)} ms  process wall ${fixed(r.wallMs, 0)} ms  [${r.backend}]`);
  }
  emitResult({ runs, rows });
}
