// CLI errors name the config path, what was received and a fix: a misspelled trainer key, a wrong type, a missing
// class (file or export), unknown sections and subcommands — from YAML files and from flags.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ConfigError, LightningCLI, buildRawConfig, parseArgs, validateConfig } from '../../src/cli/index.js';
import { fixture, run, tempDir } from './helpers.js';

/** Validate the config of these arguments and return the ConfigError it throws. */
function configError(args: string[], cwd = tempDir()): ConfigError {
  try {
    const raw = buildRawConfig(parseArgs(args).steps, { cwd });
    validateConfig(raw.values, raw.sources);
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected a ConfigError');
}

/** Build (not run) a CLI and return the ConfigError it throws. */
async function buildError(args: string[]): Promise<ConfigError> {
  try {
    await LightningCLI.create({ args, run: false, stdout: () => {} });
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected a ConfigError');
}

describe('misspelled keys', () => {
  it('trainer.maxEpoch in a YAML file: names the path and the file, suggests maxEpochs', () => {
    const dir = tempDir();
    const file = join(dir, 'typo.yaml');
    writeFileSync(file, 'trainer:\n  maxEpoch: 5\n');
    const error = configError(['--config', file]);
    assert.equal(error.path, 'trainer.maxEpoch');
    assert.equal(error.issues.length, 1);
    assert.equal(error.issues[0]?.source, file);
    assert.equal(error.hint, 'Did you mean "trainer.maxEpochs"?');
    assert.match(error.message, /^Invalid config: trainer\.maxEpoch \(from .*typo\.yaml\): unknown key "maxEpoch"/);
  });

  it('snake_case and case slips from the command line map to the camelCase key', () => {
    assert.equal(configError(['--trainer.max_epochs', '5']).hint, 'Did you mean "trainer.maxEpochs"?');
    assert.equal(configError(['--trainer.enableprogressbar', 'false']).hint, 'Did you mean "trainer.enableProgressBar"?');
    assert.equal(configError(['--trainr.maxEpochs', '5']).hint, 'Did you mean "trainer"?');
    assert.equal(configError(['--model.initArg.lr', '0.1']).hint, 'Did you mean "model.initArgs"?');
    assert.equal(configError(['--lrScheduler.intervall', 'step', '--lrScheduler.classPath', 'StepLR']).hint, 'Did you mean "lrScheduler.interval"?');
  });

  it('a key with no close match lists the keys that exist', () => {
    const error = configError(['--optimizer.classPath', 'Adam', '--optimizer.zzzzzz', '1']);
    assert.equal(error.path, 'optimizer.zzzzzz');
    assert.equal(error.hint, 'Remove it; the keys of optimizer are: classPath, initArgs.');
  });
});

describe('wrong types', () => {
  it('trainer.maxEpochs: "five" names the path, the expected type and the received value', () => {
    const dir = tempDir();
    const file = join(dir, 'type.yaml');
    writeFileSync(file, 'trainer:\n  maxEpochs: five\n');
    const error = configError(['--config', file]);
    assert.equal(error.path, 'trainer.maxEpochs');
    assert.match(error.message, /trainer\.maxEpochs \(from .*type\.yaml\): expected a number, received "five"/);
    assert.equal(error.hint, 'Set trainer.maxEpochs to a number in the config file, or pass --trainer.maxEpochs <value>.');
  });

  it('integers, ranges, enums and unions say what they accept', () => {
    assert.match(configError(['--trainer.maxEpochs', '2.5']).message, /trainer\.maxEpochs \(from command line\): expected an integer, received 2\.5/);
    assert.match(configError(['--trainer.accumulateGradBatches', '0']).message, /trainer\.accumulateGradBatches .*expected a value >= 1, received 0/);
    const accelerator = configError(['--trainer.accelerator', 'cpuu']);
    assert.match(accelerator.message, /expected one of "auto", "cpu", "wasm", "tensorflow", "webgl", "webgpu", received "cpuu"/);
    assert.equal(accelerator.hint, 'Did you mean "cpu"?');
    assert.match(configError(['--trainer.logger', '3']).message, /trainer\.logger .*expected true, false, a logger class spec .* received 3/);
    assert.match(configError(['--trainer.callbacks', '[{classPath: 4}]']).message, /trainer\.callbacks\.0\.classPath .*expected a classPath string .*received 4/);
    assert.match(configError(['--seed_everything', 'soon']).message, /seedEverything .*expected true \(a random seed\), false .* received "soon"/);
  });

  it('reports every problem at once', () => {
    const error = configError(['--trainer.maxEpoch', '5', '--trainer.maxSteps', 'five']);
    assert.deepEqual(error.issues.map((i) => i.path).sort(), ['trainer.maxEpoch', 'trainer.maxSteps']);
  });
});

describe('missing classes', () => {
  it('a file that does not exist: names model.classPath and the file, suggests the near file', async () => {
    const error = await buildError(['--config', fixture('base.yaml'), '--model.classPath', `${fixture('tiny-modle.ts')}#TinyModel`]);
    assert.equal(error.path, 'model.classPath');
    assert.match(error.message, /cannot load ".*tiny-modle\.ts#TinyModel": file .*tiny-modle\.ts does not exist/);
    assert.match(error.hint ?? '', /^Did you mean ".*tiny-model\.ts#TinyModel"\?$/);
  });

  it('./nope.ts#Model relative to the config file: the hint says where relative paths are resolved from', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'cfg.yaml'), 'model:\n  classPath: ./nope.ts#Model\n');
    const error = await buildError(['--config', join(dir, 'cfg.yaml')]);
    assert.equal(error.path, 'model.classPath');
    assert.match(error.message, new RegExp(`file ${join(dir, 'nope.ts')} does not exist`));
    assert.match(error.hint ?? '', /resolved from the directory of the config file/);
  });

  it('a misspelled export: did you mean, and the exports that exist', async () => {
    const near = await buildError(['--config', fixture('base.yaml'), '--model.classPath', `${fixture('tiny-model.ts')}#TinyModle`]);
    assert.equal(near.path, 'model.classPath');
    assert.match(near.message, /tiny-model\.ts" has no export "TinyModle"/);
    assert.equal(near.hint, 'Did you mean "TinyModel"? Its exports: TinyData, TinyModel.');
    const far = await buildError(['--config', fixture('base.yaml'), '--data.classPath', `${fixture('tiny-model.ts')}#Modle`]);
    assert.equal(far.path, 'data.classPath');
    assert.equal(far.hint, 'Check the export name. Its exports: TinyData, TinyModel.');
  });

  it('public API names: did you mean across the optim namespace', async () => {
    const error = await buildError(['--config', fixture('base.yaml'), '--optimizer', 'lightning-ts#Adamm']);
    assert.equal(error.path, 'optimizer.classPath');
    assert.match(error.hint ?? '', /Did you mean "(optim\.)?Adam"/);
  });

  it('an export that is not a class, and a class of the wrong kind', async () => {
    const notClass = await buildError(['--config', fixture('base.yaml'), '--model.classPath', `${fixture('tiny-model.ts')}#notAClass`]);
    assert.match(notClass.message, /#notAClass is not a class \(it is number\)/);
    const wrongKind = await buildError(['--config', fixture('base.yaml'), '--model.classPath', `${fixture('tiny-model.ts')}#TinyData`]);
    assert.equal(wrongKind.path, 'model.classPath');
    assert.match(wrongKind.message, /TinyData is not a LightningModule/);
  });

  it('no model at all', async () => {
    const error = await buildError(['--trainer.maxEpochs', '1']);
    assert.equal(error.path, 'model.classPath');
    assert.match(error.hint ?? '', /--model\.classPath \.\/model\.ts#LitModel/);
  });
});

describe('initArgs of a class with a static initArgsSchema', () => {
  it('an unknown init arg names model.initArgs.<key> and suggests the right one', async () => {
    const error = await buildError(['--config', fixture('base.yaml'), '--model.initArgs.lrr', '0.3']);
    assert.equal(error.path, 'model.initArgs.lrr');
    assert.equal(error.hint, 'Did you mean "model.initArgs.lr"?');
  });

  it('a wrong init arg type names the path and the received value', async () => {
    const error = await buildError(['--config', fixture('base.yaml'), '--model.initArgs.hidden', '2.5']);
    assert.equal(error.path, 'model.initArgs.hidden');
    assert.match(error.message, /model\.initArgs\.hidden: expected an integer, received 2\.5/);
  });

  it('a class without a schema gets its initArgs unchecked (TinyData has none)', async () => {
    const cli = await LightningCLI.create({ args: ['--config', fixture('base.yaml'), '--data.initArgs.unused', '1', '--trainer.logger', 'false'], run: false, stdout: () => {} });
    assert.equal((cli.datamodule as { batchSize?: number }).batchSize, 4);
  });
});

describe('through runCli', () => {
  it('prints the error with its hint to stderr and exits 2', async () => {
    const { code, stdout, stderr } = await run(['fit', '--config', fixture('base.yaml'), '--trainer.maxEpoch', '5']);
    assert.equal(code, 2);
    assert.equal(stdout, '');
    assert.equal(stderr, 'ConfigError: Invalid config: trainer.maxEpoch (from command line): unknown key "maxEpoch"\n  hint: Did you mean "trainer.maxEpochs"?\n');
  });

  it('an unknown subcommand suggests the right one; a missing one lists them', async () => {
    const typo = await run(['fti', '--config', 'x.yaml']);
    assert.equal(typo.code, 2);
    assert.match(typo.stderr, /unknown subcommand "fti"\n {2}hint: Did you mean "fit"\?/);
    const none = await run(['--config', 'x.yaml']);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /missing subcommand\n {2}hint: Start with one of: fit, validate, test, predict/);
  });

  it('--help prints the options and exits 0', async () => {
    const { code, stdout } = await run(['fit', '--help']);
    assert.equal(code, 0);
    assert.match(stdout, /Usage: lightning-ts fit/);
    assert.match(stdout, /--print_config/);
    assert.match(stdout, /--trainer\.maxEpochs 5/);
  });
});
