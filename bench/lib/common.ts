/** Shared helpers of the benchmarks: medians, argument parsing and the JSON result hand-off to `run-all`. */
import { writeFileSync } from 'node:fs';

/** Median of `xs` (NaN when empty). */
export function median(xs: readonly number[]): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Value of `--name <value>` in argv, or undefined. */
export function flag(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

/** Numeric `--name <n>`, or `fallback`. */
export function numberFlag(name: string, fallback: number): number {
  const v = flag(name);
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new Error(`--${name} expects a number; received "${v}".`);
  return n;
}

/** Write `result` as JSON to the file named by `--json`, when given (how `run-all` collects results). */
export function emitResult(result: unknown): void {
  const path = flag('json');
  if (path !== undefined) writeFileSync(path, JSON.stringify(result, null, 2));
}

/** `x` with `digits` decimals. */
export function fixed(x: number, digits = 2): string {
  return Number.isFinite(x) ? x.toFixed(digits) : String(x);
}

/** A wall-clock timer in milliseconds. */
export function elapsedSince(start: number): number {
  return performance.now() - start;
}
