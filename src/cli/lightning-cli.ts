/**
 * `LightningCLI`: configure a LightningModule, a LightningDataModule and the Trainer from YAML files and dotted
 * flags, validated with zod, then run `fit | validate | test | predict`. `runCli` is what the `lightning-ts` bin runs.
 */
import { LightningDataModule } from '../core/datamodule.js';
import type { DataHooks, TrainerFn } from '../core/hooks.js';
import { LightningModule } from '../core/module.js';
import { LightningError, MisconfigurationError } from '../errors.js';
import { Trainer } from '../trainer/trainer.js';
import { seedEverything } from '../utilities/seed.js';
import { parseArgs } from './args.js';
import type { AnyClass } from './class-loader.js';
import { ConfigError } from './errors.js';
import { buildTrainerOptions, instantiateComponent, overrideConfigureOptimizers } from './instantiate.js';
import { buildRawConfig } from './merge.js';
import type { ConfigObject } from './merge.js';
import { readCommandLine } from './program.js';
import { formatConfig, SaveConfigCallback } from './save-config.js';
import type { SaveConfigOptions } from './save-config.js';
import type { LightningConfig } from './schema.js';
import { validateConfig } from './validate.js';

/** Options of `LightningCLI.create` (`MB`/`DB`: the batch types of the model and datamodule classes). */
export interface LightningCLIOptions<MB = unknown, DB = unknown> {
  /** The model class when the config gives no `model.classPath` (then `model.initArgs` configures it). Default: none. */
  modelClass?: new (...args: never[]) => LightningModule<MB>;
  /** The datamodule class when the config gives no `data.classPath`. Default: none (the model's own loaders). */
  datamoduleClass?: new (...args: never[]) => DataHooks<DB>;
  /** Command-line arguments (subcommand first when `run` is true). Default: `process.argv.slice(2)`. */
  args?: readonly string[];
  /** Run the subcommand (true), or only build model, datamodule and trainer from a config without one (false). Default: true. */
  run?: boolean;
  /** Trainer config values applied before any config file (e.g. `{ maxEpochs: 10 }`). Default: none. */
  trainerDefaults?: ConfigObject;
  /** `seedEverything` when no config sets it: true (random seed), false, or a seed. Default: true. */
  seedEverythingDefault?: boolean | number;
  /** Save the resolved config into the log dir at fit start: options, or false to disable. Default: `{}` (save). */
  saveConfigCallback?: SaveConfigOptions | false;
  /** Where `--print_config`, help and the seed message go. Default: `process.stdout`. */
  stdout?: (text: string) => void;
  /** Where help errors go. Default: `process.stderr`. */
  stderr?: (text: string) => void;
  /** Base directory of relative paths given on the command line. Default: `process.cwd()`. */
  cwd?: string;
  /** Program name in help and messages. Default: `'lightning-ts'`. */
  programName?: string;
}

function isDataModule(value: unknown): value is DataHooks {
  if (value instanceof LightningDataModule) return true;
  const hooks = value as Partial<Record<keyof DataHooks, unknown>>;
  return typeof value === 'object' && value !== null && ['trainDataloader', 'valDataloader', 'testDataloader', 'predictDataloader'].some((k) => typeof hooks[k as keyof DataHooks] === 'function');
}

function isModule(value: unknown): value is LightningModule {
  return value instanceof LightningModule;
}

/**
 * A command line (or your own entry script) for a LightningModule, like Lightning's `LightningCLI`.
 *
 * @example
 * // train.ts — run with: tsx train.ts fit --config config.yaml --trainer.maxEpochs 5
 * const cli = await LightningCLI.create({ modelClass: LitMNIST, datamoduleClass: MnistData });
 * console.log(cli.trainer?.callbackMetrics);
 *
 * @example
 * // Build everything without running, then drive the Trainer yourself.
 * const cli = await LightningCLI.create({ args: ['--config', 'config.yaml'], run: false });
 * await cli.trainer!.fit(cli.model!, { datamodule: cli.datamodule });
 */
export class LightningCLI<MB = unknown, DB = unknown> {
  /** The subcommand that ran (undefined with `run: false`). */
  subcommand: TrainerFn | undefined;
  /** The validated config, defaults filled and a random seed resolved to the number used. */
  config: LightningConfig | undefined;
  /** The model built from the config (an instance of `modelClass` or of the config's `model.classPath`). */
  model: LightningModule<MB> | undefined;
  /** The datamodule built from the config, if any. */
  datamodule: DataHooks<DB> | undefined;
  /** The Trainer built from the config. */
  trainer: Trainer | undefined;
  /** What `validate`/`test` returned (metrics per dataloader) or `predict` returned (predictions). */
  result: unknown;
  /** The process exit code this invocation stands for (0 also after `--help` or `--print_config`). */
  exitCode = 0;
  protected readonly options: LightningCLIOptions<MB, DB>;

  constructor(options: LightningCLIOptions<MB, DB> = {}) {
    this.options = options;
  }

  /** Parse the arguments, build everything and (by default) run the subcommand. */
  static async create<MB = unknown, DB = unknown>(options: LightningCLIOptions<MB, DB> = {}): Promise<LightningCLI<MB, DB>> {
    const cli = new LightningCLI<MB, DB>(options);
    await cli.main();
    return cli;
  }

  /** The whole flow of `create`; call it yourself after `new LightningCLI(options)` (e.g. from a subclass). */
  async main(): Promise<void> {
    const stdout = this.options.stdout ?? ((text: string) => void process.stdout.write(text));
    const stderr = this.options.stderr ?? ((text: string) => void process.stderr.write(text));
    const args = this.options.args ?? process.argv.slice(2);
    let tokens = [...args];
    if (this.options.run ?? true) {
      const command = await readCommandLine(args, { stdout, stderr }, this.options.programName);
      if (command.kind === 'exit') {
        this.exitCode = command.code;
        return;
      }
      this.subcommand = command.subcommand;
      tokens = command.tokens;
    }
    const parsed = parseArgs(tokens);
    const cwd = this.options.cwd ?? process.cwd();
    const defaults: ConfigObject = {};
    if (this.options.seedEverythingDefault !== undefined) defaults.seedEverything = this.options.seedEverythingDefault;
    if (this.options.trainerDefaults !== undefined) defaults.trainer = this.options.trainerDefaults;
    const raw = buildRawConfig(parsed.steps, { cwd, defaults, defaultsSource: 'LightningCLI defaults' });
    const config = validateConfig(raw.values, raw.sources);
    this.config = config;
    if (parsed.printConfig) {
      stdout(formatConfig(config, cwd));
      return;
    }
    this.seed(config, stdout);
    await this.instantiate(config);
    if (this.subcommand !== undefined) await this.runSubcommand(this.subcommand);
  }

  /** Seed before any class is constructed (weights are drawn in constructors); a random seed is recorded in the config. */
  protected seed(config: LightningConfig, stdout: (text: string) => void): void {
    if (config.seedEverything === false) return;
    const used = seedEverything(config.seedEverything === true ? undefined : config.seedEverything);
    if (config.seedEverything === true) stdout(`Seed set to ${used}\n`);
    config.seedEverything = used;
  }

  /** Build the model, datamodule and Trainer from a validated config. */
  protected async instantiate(config: LightningConfig): Promise<void> {
    const model = await instantiateComponent(config.model, 'model', this.options.modelClass as AnyClass | undefined, { accept: isModule, what: 'a LightningModule' });
    if (model === undefined) {
      throw ConfigError.at('model.classPath', 'missing: no model class was given', 'Add model: { classPath: "./model.ts#LitModel", initArgs: {...} } to the config, or pass --model.classPath ./model.ts#LitModel.');
    }
    // Runtime-checked above: an instance of modelClass (batch type MB) or of a LightningModule named by the config.
    this.model = model as LightningModule<MB>;
    this.datamodule = (await instantiateComponent(config.data, 'data', this.options.datamoduleClass as AnyClass | undefined, { accept: isDataModule, what: 'a LightningDataModule' })) as DataHooks<DB> | undefined;
    await overrideConfigureOptimizers(model, config.optimizer, config.lrScheduler);
    const save = this.options.saveConfigCallback ?? {};
    const extra = save === false ? [] : [new SaveConfigCallback(config, save)];
    this.trainer = new Trainer(await buildTrainerOptions(config.trainer, extra));
  }

  /** Run `fit`, `validate`, `test` or `predict` with the config's datamodule and `ckptPath`. */
  protected async runSubcommand(subcommand: TrainerFn): Promise<void> {
    const { trainer, model, config } = this;
    if (trainer === undefined || model === undefined || config === undefined) throw new LightningError('LightningCLI.runSubcommand needs instantiate() first.');
    const args: { datamodule?: DataHooks<MB>; ckptPath?: string } = {};
    // The datamodule feeds this model: its batches are the model's (DB and MB only differ in how they were declared).
    if (this.datamodule !== undefined) args.datamodule = this.datamodule as unknown as DataHooks<MB>;
    if (config.ckptPath !== null) args.ckptPath = config.ckptPath;
    if (subcommand === 'fit') await trainer.fit(model, args);
    else if (subcommand === 'validate') this.result = await trainer.validate(model, args);
    else if (subcommand === 'test') this.result = await trainer.test(model, args);
    else this.result = await trainer.predict(model, args);
  }
}

/** Options of `runCli` (those of `LightningCLI` except `args` and `run`). */
export type RunCliOptions = Omit<LightningCLIOptions, 'args' | 'run'>;

/**
 * Run the command line `argv` (e.g. `['fit', '--config', 'cfg.yaml']`) and return the exit code: 0 on success,
 * 2 for a config or usage error, 1 for another `LightningError` (printed with its hint). Other errors propagate.
 */
export async function runCli(argv: readonly string[], options: RunCliOptions = {}): Promise<number> {
  const stderr = options.stderr ?? ((text: string) => void process.stderr.write(text));
  try {
    if (argv[0] === 'dashboard') {
      const { runDashboardCli } = await import('../dashboard/index.js');
      await runDashboardCli(argv.slice(1));
      return 0;
    }
    const cli = await LightningCLI.create({ ...options, args: argv, run: true });
    return cli.exitCode;
  } catch (error) {
    if (!(error instanceof LightningError)) throw error;
    stderr(`${error.name}: ${error.message}\n`);
    return error instanceof ConfigError || (argv[0] === 'dashboard' && error instanceof MisconfigurationError) ? 2 : 1;
  }
}
