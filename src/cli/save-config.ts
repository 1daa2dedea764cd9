/** Writing the resolved config as YAML into the run's log dir (`config.yaml`), so a run can be repeated exactly. */
import { isAbsolute, relative, resolve } from 'node:path';
import { stringify } from 'yaml';
import { Callback } from '../callbacks/callback.js';
import type { TrainerFn } from '../core/hooks.js';
import type { LightningModule } from '../core/module.js';
import type { TrainerContext } from '../core/trainer-context.js';
import { MisconfigurationError } from '../errors.js';
import { joinPath } from '../loggers/file-system.js';
import type { LogFileSystem } from '../loggers/file-system.js';
import { nodeLogFileSystem } from '../loggers/node-fs.js';
import { isPlainObject } from './merge.js';
import type { LightningConfig } from './schema.js';

/** The file operations `SaveConfigCallback` needs (a `LogFileSystem` has them). */
export type ConfigWriter = Pick<LogFileSystem, 'mkdir' | 'exists' | 'writeFile'>;

/** Options of `SaveConfigCallback`. */
export interface SaveConfigOptions {
  /** File name inside the log dir. Default: `'config.yaml'`. */
  configFilename?: string;
  /** Replace an existing file instead of refusing to run. Default: false. */
  overwrite?: boolean;
  /** Where to write. Default: Node's `fs`. */
  writer?: ConfigWriter;
}

const ABSOLUTE_CLASS_PATH = /^\/[^#]*#[A-Za-z_$][\w$.]*$/;

/** `file` relative to `dir` (`./x.ts`, `../src/x.ts`), or absolute when the two share nothing but the root. */
function relativeTo(dir: string, file: string): string {
  const rel = relative(dir, file);
  const ups = rel.split(/[\\/]/).filter((s) => s === '..').length;
  const depth = resolve(dir).split(/[\\/]/).filter((s) => s !== '').length;
  if (isAbsolute(rel) || (ups > 0 && ups >= depth)) return file;
  return rel.startsWith('..') ? rel : `./${rel}`;
}

function relativizeClassPaths(value: unknown, dir: string, key?: string): unknown {
  if (typeof value === 'string') return (key === 'classPath' && isAbsolute(value)) || ABSOLUTE_CLASS_PATH.test(value) ? relativeTo(dir, value) : value;
  if (Array.isArray(value)) return value.map((v) => relativizeClassPaths(v, dir));
  if (isPlainObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, relativizeClassPaths(v, dir, k)]));
  return value;
}

/**
 * The config as YAML, with file classPaths written relative to `dir` (the directory the YAML will live in), so
 * `--config <that file>` resolves them again from any working directory.
 */
export function formatConfig(config: LightningConfig, dir: string): string {
  return stringify(relativizeClassPaths(config, dir), { lineWidth: 0 });
}

/**
 * Saves the resolved config to `<trainer.logDir>/config.yaml` when `fit` sets up (not in fast-dev-run, which
 * writes no logs). Refuses to overwrite an existing file unless `overwrite: true`, so a second run into the same
 * directory cannot silently replace the record of the first.
 */
export class SaveConfigCallback extends Callback {
  /** The config to save (seed resolved, defaults filled). */
  readonly config: LightningConfig;
  /** Path of the written file, once saved. */
  savedPath: string | undefined;
  private readonly configFilename: string;
  private readonly overwrite: boolean;
  private readonly writer: ConfigWriter;

  constructor(config: LightningConfig, options: SaveConfigOptions = {}) {
    super();
    this.config = config;
    this.configFilename = options.configFilename ?? 'config.yaml';
    this.overwrite = options.overwrite ?? false;
    this.writer = options.writer ?? nodeLogFileSystem;
  }

  override setup(trainer: TrainerContext, _module: LightningModule, stage: TrainerFn): void {
    if (stage !== 'fit' || this.savedPath !== undefined || trainer.settings.fastDevRun > 0 || !trainer.isGlobalZero) return;
    const dir = trainer.logDir;
    const file = joinPath(dir, this.configFilename);
    if (!this.overwrite && this.writer.exists(file)) {
      throw new MisconfigurationError(
        `SaveConfigCallback would overwrite ${file}, the config of an earlier run in the same log dir.`,
        'Delete that file, log into a new directory (e.g. --trainer.defaultRootDir), pass saveConfigCallback: { overwrite: true }, or disable saving with saveConfigCallback: false.',
      );
    }
    this.writer.mkdir(dir);
    this.writer.writeFile(file, formatConfig(this.config, dir));
    this.savedPath = file;
  }
}
