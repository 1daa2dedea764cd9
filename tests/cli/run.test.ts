// End-to-end runs through the CLI on the cpu backend: fit writes config.yaml into the log dir (and refuses to
// overwrite one), the saved config repeats the run exactly, optimizer/lrScheduler sections replace
// configureOptimizers, callbacks and loggers come from class specs, and validate/test/predict use --ckpt_path.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { parse } from 'yaml';
import { LightningCLI } from '../../src/cli/index.js';
import { EarlyStopping } from '../../src/callbacks/early-stopping.js';
import { CSVLogger } from '../../src/loggers/csv-logger.js';
import { readCsvMetrics } from '../../src/loggers/csv.js';
import { nodeLogFileSystem } from '../../src/loggers/node-fs.js';
import { Adam, SGD, StepLR } from '../../src/optim/index.js';
import { selectBackend } from '../../src/runtime/backend.js';
import type { Tensor } from '../../src/runtime/tf.js';
import { TinyData, TinyModel } from './fixtures/tiny-model.js';
import { QUIET, fixture, run, tempDir } from './helpers.js';

function csvColumn(file: string, column: string): number[] {
  return readCsvMetrics(nodeLogFileSystem, file).rows.flatMap((row) => (row[column] === undefined ? [] : [row[column]]));
}

/** Run in-process; logs (and config.yaml) go to a fresh temp dir unless the args choose another. */
async function create(args: string[]): Promise<LightningCLI> {
  return await LightningCLI.create({ args: [...args.slice(0, 1), '--trainer.defaultRootDir', tempDir(), ...args.slice(1)], stdout: () => {} });
}

before(async () => {
  await selectBackend('cpu');
});

describe('fit', () => {
  it('trains, saves the resolved config (seed included) to the log dir, and the saved config repeats the run exactly', async () => {
    const dir = tempDir();
    const first = await run(['fit', '--config', fixture('base.yaml'), '--seed_everything', 'true', '--trainer.defaultRootDir', dir, ...QUIET]);
    assert.equal(first.code, 0, first.stderr);
    const seed = Number(/Seed set to (\d+)/.exec(first.stdout)?.[1]);
    assert.ok(Number.isInteger(seed));
    const saved = join(dir, 'lightning_logs', 'version_0', 'config.yaml');
    const config = parse(readFileSync(saved, 'utf8')) as { seedEverything: number; trainer: Record<string, unknown>; model: Record<string, unknown> };
    assert.equal(config.seedEverything, seed);
    assert.equal(config.trainer.maxEpochs, 3);
    assert.equal(config.trainer.defaultRootDir, dir);
    assert.deepEqual(config.model.initArgs, { lr: 0.1, hidden: 8 });
    const valLoss = csvColumn(join(dir, 'lightning_logs', 'version_0', 'metrics.csv'), 'val_loss');
    assert.equal(valLoss.length, 3);
    assert.ok(valLoss[2]! < valLoss[0]!, `val_loss falls: ${valLoss.join(', ')}`);

    // Repeat from the saved file alone (from another cwd): same seed, same classes, same numbers, next version dir.
    const again = await run(['fit', '--config', saved], tempDir());
    assert.equal(again.code, 0, again.stderr);
    assert.deepEqual(csvColumn(join(dir, 'lightning_logs', 'version_1', 'metrics.csv'), 'val_loss'), valLoss);
    assert.equal(readFileSync(join(dir, 'lightning_logs', 'version_1', 'config.yaml'), 'utf8'), readFileSync(saved, 'utf8'));
  });

  it('refuses to overwrite an existing config.yaml in the log dir', async () => {
    const dir = tempDir();
    const args = ['fit', '--config', fixture('base.yaml'), '--trainer.logger', 'false', '--trainer.defaultRootDir', dir, '--trainer.maxEpochs', '1', ...QUIET];
    assert.equal((await run(args)).code, 0);
    assert.ok(existsSync(join(dir, 'config.yaml')));
    const second = await run(args);
    assert.equal(second.code, 1);
    assert.match(second.stderr, /MisconfigurationError: SaveConfigCallback would overwrite .*config\.yaml/);
  });

  it('optimizer and lrScheduler sections replace configureOptimizers (Adam + StepLR instead of SGD)', async () => {
    const cli = await create(['fit', '--config', fixture('base.yaml'), '--config', fixture('optimizer.yaml'), '--trainer.maxEpochs', '2',
      '--trainer.logger', 'false', ...QUIET]);
    const [optimizer] = cli.trainer!.optimizers;
    assert.ok(optimizer instanceof Adam);
    const [schedulerConfig] = cli.trainer!.lrSchedulerConfigs;
    assert.ok(schedulerConfig?.scheduler instanceof StepLR);
    assert.equal(schedulerConfig.interval, 'epoch');
    // Two epoch-interval steps of StepLR(stepSize 1, gamma 0.5) from lr 0.01.
    assert.equal(optimizer.paramGroups[0]?.lr, 0.0025);
    // Only this instance was changed: a new TinyModel still configures SGD.
    assert.ok(new TinyModel().configureOptimizers() instanceof SGD);
  });

  it('an lrScheduler alone drives the optimizer of the module\'s own configureOptimizers', async () => {
    const cli = await create(['fit', '--config', fixture('base.yaml'), '--lr_scheduler', 'lightning-ts#StepLR',
      '--lrScheduler.initArgs', '{stepSize: 1, gamma: 0.5}', '--trainer.maxEpochs', '2', '--trainer.logger', 'false', ...QUIET]);
    const [optimizer] = cli.trainer!.optimizers;
    assert.ok(optimizer instanceof SGD);
    assert.ok(Math.abs((optimizer.paramGroups[0]?.lr as number) - 0.025) < 1e-12);
  });

  it('callbacks and loggers from class specs', async () => {
    const dir = tempDir();
    const cli = await create(['fit', '--config', fixture('base.yaml'), '--trainer.maxEpochs', '1', ...QUIET,
      '--trainer.callbacks', `[{classPath: EarlyStopping, initArgs: {monitor: val_loss, patience: 5}}, {classPath: "${fixture('counting-callback.js')}#CountingCallback", initArgs: {label: js}}]`,
      '--trainer.logger', `{classPath: "lightning-ts#CSVLogger", initArgs: {saveDir: "${dir}", name: exp}}`]);
    assert.ok(cli.trainer!.callbacks.some((c) => c instanceof EarlyStopping));
    const counting = cli.trainer!.callbacks.find((c) => c.stateKey === 'CountingCallback[js]') as unknown as { epochs: number } | undefined;
    assert.equal(counting?.epochs, 1);
    assert.ok(cli.trainer!.logger instanceof CSVLogger);
    assert.ok(existsSync(join(dir, 'exp', 'version_0', 'config.yaml')));
    assert.ok(existsSync(join(dir, 'exp', 'version_0', 'metrics.csv')));
  });
});

describe('validate, test and predict', () => {
  it('test --ckpt_path evaluates the checkpoint, not the fresh weights', async () => {
    const dir = tempDir();
    const fit = await create(['fit', '--config', fixture('base.yaml'), '--trainer.defaultRootDir', dir, '--trainer.enableCheckpointing', 'true', ...QUIET]);
    const fitted = await fit.trainer!.test(fit.model, { datamodule: fit.datamodule!, verbose: false });
    const ckptDir = join(dir, 'lightning_logs', 'version_0', 'checkpoints');
    const [ckpt] = readdirSync(ckptDir);
    assert.ok(ckpt !== undefined);
    const common = ['--config', fixture('base.yaml'), '--seed_everything', '123', '--trainer.logger', 'false', ...QUIET];
    const fresh = await create(['test', ...common]);
    const fromCkpt = await create(['test', ...common, '--ckpt_path', join(ckptDir, ckpt)]);
    const loss = (cli: LightningCLI) => (cli.result as Array<Record<string, number>>)[0]?.test_loss;
    assert.ok(Math.abs(loss(fromCkpt)! - fitted[0]!.test_loss!) < 1e-6, `${loss(fromCkpt)} vs ${fitted[0]!.test_loss}`);
    assert.notEqual(loss(fresh), loss(fromCkpt));
    const validate = await create(['validate', ...common, '--ckpt_path', join(ckptDir, ckpt)]);
    assert.ok(typeof (validate.result as Array<Record<string, number>>)[0]?.val_loss === 'number');
  });

  it('predict returns one prediction per batch', async () => {
    const cli = await create(['predict', '--config', fixture('base.yaml'), '--trainer.logger', 'false', ...QUIET]);
    const predictions = cli.result as Tensor[];
    assert.equal(predictions.length, 4);
    assert.deepEqual(predictions[0]?.shape, [4, 1]);
    for (const p of predictions) p.dispose();
  });
});

describe('programmatic LightningCLI', () => {
  it('takes the classes from the script, applies trainerDefaults under the config, and can skip running', async () => {
    const cli = await LightningCLI.create({
      modelClass: TinyModel,
      datamoduleClass: TinyData,
      trainerDefaults: { maxEpochs: 7, accelerator: 'cpu', logger: false },
      args: ['--model.initArgs', '{hidden: 3, lr: 0.2}', '--data.initArgs.batchSize', '8', '--trainer.logEveryNSteps', '5'],
      run: false,
      seedEverythingDefault: false,
      stdout: () => {},
    });
    assert.equal(cli.subcommand, undefined);
    assert.ok(cli.model instanceof TinyModel);
    assert.deepEqual(cli.model.hparams, { lr: 0.2, hidden: 3 });
    assert.ok(cli.datamodule instanceof TinyData);
    assert.equal(cli.datamodule.batchSize, 8);
    assert.equal(cli.trainer!.options.maxEpochs, 7);
    assert.equal(cli.trainer!.options.logEveryNSteps, 5);
    assert.equal(cli.config!.seedEverything, false);
    assert.equal(cli.trainer!.state.status, 'initializing');
  });
});
