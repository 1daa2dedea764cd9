/** Running test workers under mpirun: availability check (with the reason to skip) and a spawn helper. */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { findExecutable } from '../../src/strategies/launcher.js';

/** Why MPI tests cannot run here, or undefined when they can. */
export function mpiSkipReason(): string | undefined {
  if (findExecutable('mpirun') === undefined) {
    return 'mpirun is not installed (apt-get install libopenmpi-dev openmpi-bin)';
  }
  try {
    const pkg = createRequire(import.meta.url)('@lightning-ts/mpi') as { isAvailable(): boolean };
    if (!pkg.isAvailable()) return '@lightning-ts/mpi is installed but not built (node packages/mpi/scripts/build.js --force)';
  } catch {
    return '@lightning-ts/mpi is not installed (npm install, or link node_modules/@lightning-ts/mpi to packages/mpi)';
  }
  return undefined;
}

/** mpirun flags for tests: as root in containers, no core binding, TCP over the loopback interface only. */
export const LOOPBACK_FLAGS = [
  '--oversubscribe',
  '--bind-to', 'none',
  '--mca', 'btl', 'self,tcp',
  '--mca', 'btl_tcp_if_include', 'lo',
  '--mca', 'oob_tcp_if_include', 'lo',
];

/** What a finished command printed. */
export interface RunResult {
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  elapsedMs: number;
}

/** Run a command, killing it after `timeoutMs`. */
export function run(file: string, args: string[], env: Record<string, string> = {}, timeoutMs = 60_000): Promise<RunResult> {
  const start = performance.now();
  return new Promise((resolve) => {
    const child = spawn(file, args, {
      env: { ...process.env, OMPI_ALLOW_RUN_AS_ROOT: '1', OMPI_ALLOW_RUN_AS_ROOT_CONFIRM: '1', NO_COLOR: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
    }, timeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, elapsedMs: performance.now() - start });
    });
  });
}

/** Run `tests/strategies/workers/<worker>.ts` on `np` ranks under mpirun. */
export function mpirun(np: number, worker: string, workerArgs: string[] = [], timeoutMs = 60_000): Promise<RunResult> {
  const script = `tests/strategies/workers/${worker}.ts`;
  return run('mpirun', ['-np', String(np), ...LOOPBACK_FLAGS, process.execPath, '--import', 'tsx', script, ...workerArgs], {}, timeoutMs);
}

/** The JSON lines a worker printed with `report()`. */
export function reports<T>(stdout: string): T[] {
  return stdout
    .split('\n')
    .filter((l) => l.startsWith('REPORT '))
    .map((l) => JSON.parse(l.slice(7)) as T);
}
