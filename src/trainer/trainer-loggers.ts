/** The Trainer's loggers: `logger: true` gives the default CSV logger; hyperparameters are logged at fit start. */
import { MisconfigurationError } from '../errors.js';
import type { DataHooks } from '../core/hooks.js';
import type { LightningModule } from '../core/module.js';
import type { LoggerLike } from '../core/trainer-context.js';
import { CSVLogger } from '../loggers/csv-logger.js';
import { JsonlLogger } from '../loggers/jsonl-logger.js';
import { platform } from '../platform/platform.js';
import type { ResolvedTrainerOptions } from './trainer-options.js';

/**
 * Loggers for the `logger` option (true: a `CSVLogger` under `defaultRootDir/lightning_logs`). With `dashboard` on, a
 * `JsonlLogger` writing to the first logger's version directory is added (the dashboard streams it live).
 */
export function resolveLoggers(options: Readonly<ResolvedTrainerOptions>): LoggerLike[] {
  const { logger } = options;
  const loggers: LoggerLike[] = logger === false ? [] : logger === true ? [new CSVLogger({ saveDir: options.defaultRootDir })] : Array.isArray(logger) ? [...logger] : [logger];
  if (options.dashboard !== false && !loggers.some((l) => l instanceof JsonlLogger)) {
    const base = loggers[0];
    loggers.push(
      base?.saveDir === undefined
        ? new JsonlLogger({ saveDir: options.defaultRootDir })
        : new JsonlLogger({ saveDir: base.saveDir, name: base.name, version: base.version }),
    );
  }
  return loggers;
}

/** Start the dashboard over the JSON-lines logger's experiment directory (the platform's server, loaded on demand: it needs node:http). */
export async function startDashboardFor(loggers: readonly LoggerLike[], options: { port?: number | undefined; host?: string | undefined }): Promise<void> {
  const jsonl = loggers.find((l): l is JsonlLogger => l instanceof JsonlLogger);
  if (jsonl === undefined || jsonl.rootDir === undefined) return;
  await platform.startDashboard(jsonl.rootDir, options);
}

/** Hyperparameters of a datamodule, when it saved any. */
function datamoduleHparams(datamodule: DataHooks | undefined): Readonly<Record<string, unknown>> {
  const hp = (datamodule as { hparams?: unknown } | undefined)?.hparams;
  return typeof hp === 'object' && hp !== null ? (hp as Record<string, unknown>) : {};
}

/** Merge the module's and datamodule's hyperparameters (a key with two different values is an error) and log them. */
export function logHyperparams(loggers: readonly LoggerLike[], module: LightningModule, datamodule: DataHooks | undefined): void {
  if (loggers.length === 0) return;
  const fromModule = module.shouldLogHparams ? module.hparams : {};
  const fromData = datamoduleHparams(datamodule);
  for (const key of Object.keys(fromData)) {
    if (key in fromModule && JSON.stringify(fromModule[key]) !== JSON.stringify(fromData[key])) {
      throw new MisconfigurationError(
        `Hyperparameter "${key}" has different values in the LightningModule and the LightningDataModule.`,
        'Rename one of them, or pass { ignore: [...] } to saveHyperparameters in one of the two.',
      );
    }
  }
  const params = { ...fromModule, ...fromData };
  if (Object.keys(params).length === 0) return;
  for (const logger of loggers) {
    logger.logHyperparams(params);
    void logger.save();
  }
}
