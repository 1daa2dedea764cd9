/**
 * How the processes of a data-parallel job were started: detection of an existing launcher from the environment, and
 * the subprocess launcher that re-executes the user's script under `mpirun -np N` when there is none.
 */
import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { BackendError } from '../errors.js';

/** Which launcher started this process. */
export type LauncherKind = 'mpirun' | 'slurm' | 'torchrun' | 'none';

/** What the environment says about this process's place in the job (the engine's own answer wins after init). */
export interface LaunchEnvironment {
  kind: LauncherKind;
  rank: number;
  worldSize: number;
  localRank: number;
}

/** Environment variable set on relaunched processes, to refuse relaunching twice. */
export const RELAUNCHED_ENV = 'LIGHTNING_TS_DDP_RELAUNCHED';

type Env = Readonly<Record<string, string | undefined>>;

function int(env: Env, ...names: string[]): number | undefined {
  for (const name of names) {
    const v = env[name];
    if (v !== undefined && /^\d+$/.test(v)) return Number(v);
  }
  return undefined;
}

/**
 * Detect mpirun/mpiexec (OpenMPI `OMPI_COMM_WORLD_*`, MPICH/Hydra `PMI_*`, PMIx `PMIX_RANK`), a Slurm step (`srun`:
 * `SLURM_PROCID` with `SLURM_STEP_ID`) and torchrun-style variables (`RANK`, `WORLD_SIZE`, `LOCAL_RANK`).
 */
export function detectLauncher(env: Env = process.env): LaunchEnvironment {
  const ompiRank = int(env, 'OMPI_COMM_WORLD_RANK', 'PMI_RANK');
  if (ompiRank !== undefined) {
    return {
      kind: 'mpirun',
      rank: ompiRank,
      worldSize: int(env, 'OMPI_COMM_WORLD_SIZE', 'PMI_SIZE') ?? 1,
      localRank: int(env, 'OMPI_COMM_WORLD_LOCAL_RANK', 'MPI_LOCALRANKID') ?? 0,
    };
  }
  const slurmRank = int(env, 'SLURM_PROCID');
  if (slurmRank !== undefined && (env.SLURM_STEP_ID !== undefined || env.SLURM_STEPID !== undefined)) {
    return {
      kind: 'slurm',
      rank: slurmRank,
      worldSize: int(env, 'SLURM_NTASKS', 'SLURM_NPROCS') ?? 1,
      localRank: int(env, 'SLURM_LOCALID') ?? 0,
    };
  }
  const pmixRank = int(env, 'PMIX_RANK');
  if (pmixRank !== undefined) return { kind: 'mpirun', rank: pmixRank, worldSize: int(env, 'PMIX_SIZE') ?? 1, localRank: 0 };
  const rank = int(env, 'RANK');
  const worldSize = int(env, 'WORLD_SIZE');
  if (rank !== undefined && worldSize !== undefined) {
    return { kind: 'torchrun', rank, worldSize, localRank: int(env, 'LOCAL_RANK') ?? 0 };
  }
  return { kind: 'none', rank: 0, worldSize: 1, localRank: 0 };
}

/** Options of the mpirun command line. */
export interface MpirunCommandOptions {
  /** Number of processes. Required. */
  processes: number;
  /** The command each rank runs. Default: this process's own (`node`, its flags, the script and arguments). */
  command?: string[];
  /** The launcher executable. Default: `mpirun` found on PATH. */
  mpirun?: string;
  /** Pass `--allow-run-as-root` (mpirun refuses root otherwise). Default: true when running as root. */
  allowRunAsRoot?: boolean;
  /** Extra mpirun flags, e.g. `['--mca', 'btl', 'self,tcp']`. Default: []. */
  extraArgs?: string[];
}

/** The program and arguments that start `processes` copies of `command` on this machine (OpenMPI's flags). */
export function mpirunCommand(options: MpirunCommandOptions): { file: string; args: string[] } {
  const command = options.command ?? [process.execPath, ...process.execArgv, ...process.argv.slice(1)];
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const args = ['-np', String(options.processes), '--bind-to', 'none', '--oversubscribe'];
  if (options.allowRunAsRoot ?? isRoot) args.push('--allow-run-as-root');
  args.push(...(options.extraArgs ?? []), ...command);
  return { file: options.mpirun ?? findExecutable('mpirun') ?? 'mpirun', args };
}

/** Absolute path of `name` on PATH, or undefined. */
export function findExecutable(name: string, path: string = process.env.PATH ?? ''): string | undefined {
  for (const dir of path.split(delimiter)) {
    if (dir.length === 0) continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

/**
 * Run the job under mpirun and resolve to its exit code (128 + signal number when it was killed). SIGINT and SIGTERM
 * received meanwhile are forwarded to mpirun, which stops every rank.
 */
export function relaunchUnderMpirun(options: MpirunCommandOptions): Promise<number> {
  const { file, args } = mpirunCommand(options);
  if (options.mpirun === undefined && findExecutable('mpirun') === undefined) {
    return Promise.reject(
      new BackendError(
        'DDP with devices > 1 re-executes the script under mpirun, which is not on PATH.',
        'Install it (Debian/Ubuntu: sudo apt-get install openmpi-bin libopenmpi-dev; macOS: brew install open-mpi), ' +
          'or start the job yourself with mpirun -np N / srun --mpi=pmix.',
      ),
    );
  }
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { stdio: 'inherit', env: { ...process.env, [RELAUNCHED_ENV]: '1' } });
    const forward = (signal: NodeJS.Signals): void => {
      child.kill(signal);
    };
    process.on('SIGINT', forward);
    process.on('SIGTERM', forward);
    const cleanup = (): void => {
      process.off('SIGINT', forward);
      process.off('SIGTERM', forward);
    };
    child.on('error', (err) => {
      cleanup();
      reject(new BackendError(`Could not start ${file}: ${err.message}`, 'Check that mpirun runs: mpirun --version.', { cause: err }));
    });
    child.on('exit', (code, signal) => {
      cleanup();
      resolve(code ?? 128 + (signal === null ? 0 : signalNumber(signal)));
    });
  });
}

function signalNumber(signal: NodeJS.Signals): number {
  const numbers: Partial<Record<NodeJS.Signals, number>> = { SIGHUP: 1, SIGINT: 2, SIGKILL: 9, SIGTERM: 15 };
  return numbers[signal] ?? 1;
}
