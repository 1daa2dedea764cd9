// Building the config: ordered --config files and dotted overrides, YAML values, classPaths relative to the file
// that names them, and --print_config (the merged config with every Trainer default).
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { buildRawConfig, parseArgs, validateConfig, TRAINER_DEFAULTS } from '../../src/cli/index.js';
import { fixture, run, tempDir } from './helpers.js';

describe('parseArgs', () => {
  it('keeps --config and overrides in order and parses values as YAML', () => {
    const parsed = parseArgs(['-c', 'a.yaml', '--trainer.maxEpochs', '5', '--data.initArgs.batchSize=128', '--trainer.limitTrainBatches', '0.25',
      '--trainer.enableProgressBar', '--model.initArgs.sizes', '[1, 2]', '--trainer.maxSteps', '-1', '--config=b.yaml', '--ckpt_path', 'last.ckpt',
      '--seed_everything', 'false', '--model.initArgs.name', 'null', '--print_config']);
    assert.equal(parsed.printConfig, true);
    assert.deepEqual(parsed.steps, [
      { kind: 'config', file: 'a.yaml' },
      { kind: 'set', key: 'trainer.maxEpochs', value: 5 },
      { kind: 'set', key: 'data.initArgs.batchSize', value: 128 },
      { kind: 'set', key: 'trainer.limitTrainBatches', value: 0.25 },
      { kind: 'set', key: 'trainer.enableProgressBar', value: true },
      { kind: 'set', key: 'model.initArgs.sizes', value: [1, 2] },
      { kind: 'set', key: 'trainer.maxSteps', value: -1 },
      { kind: 'config', file: 'b.yaml' },
      { kind: 'set', key: 'ckptPath', value: 'last.ckpt' },
      { kind: 'set', key: 'seedEverything', value: false },
      { kind: 'set', key: 'model.initArgs.name', value: null },
    ]);
  });

  it('rejects a stray positional argument', () => {
    assert.throws(() => parseArgs(['--trainer.maxEpochs', '5', '6']), { name: 'ConfigError', message: /unexpected argument "6"/ });
  });
});

describe('buildRawConfig', () => {
  it('merges two files and overrides in order, recording where each value came from', () => {
    const base = fixture('base.yaml');
    const override = fixture('override.yaml');
    const steps = parseArgs(['--trainer.maxEpochs', '9', '--config', base, '--config', override, '--model.initArgs.lr=0.5']).steps;
    const raw = buildRawConfig(steps, { cwd: '/somewhere/else' });
    const config = validateConfig(raw.values, raw.sources);
    // base sets 3 after the flag's 9, override sets 1: the last writer wins.
    assert.equal(config.trainer.maxEpochs, 1);
    assert.equal(config.trainer.limitTrainBatches, 2);
    assert.equal(config.trainer.accelerator, 'cpu');
    assert.deepEqual(config.model?.initArgs, { lr: 0.5, hidden: 16 });
    assert.deepEqual(config.data?.initArgs, { batchSize: 4 });
    assert.equal(config.seedEverything, 7);
    // Relative classPaths resolve from the directory of the file that names them, not from cwd.
    assert.equal(config.model?.classPath, `${fixture('tiny-model.ts')}#TinyModel`);
    assert.equal(raw.sources.get('trainer.maxEpochs'), override);
    assert.equal(raw.sources.get('trainer.accelerator'), base);
    assert.equal(raw.sources.get('model.initArgs.lr'), 'command line');
    // Defaults are filled in for everything not given.
    assert.equal(config.trainer.logEveryNSteps, TRAINER_DEFAULTS.logEveryNSteps);
    assert.equal(config.optimizer, null);
  });

  it('resolves command-line classPaths from cwd and drops initArgs when the class changes', () => {
    const dir = tempDir();
    const steps = parseArgs(['--config', fixture('base.yaml'), '--model', './other.ts#Other', '--model.initArgs.depth', '2']).steps;
    const config = validateConfig(buildRawConfig(steps, { cwd: dir }).values);
    assert.deepEqual(config.model, { classPath: `${join(dir, 'other.ts')}#Other`, initArgs: { depth: 2 } });
  });

  it('edits one item of a list with a numeric key', () => {
    const dir = tempDir();
    const file = join(dir, 'cbs.yaml');
    writeFileSync(file, 'trainer:\n  callbacks:\n    - classPath: EarlyStopping\n      initArgs: { monitor: val_loss, patience: 3 }\n');
    const steps = parseArgs(['-c', file, '--trainer.callbacks.0.initArgs.patience', '5']).steps;
    const config = validateConfig(buildRawConfig(steps, { cwd: dir }).values);
    assert.deepEqual(config.trainer.callbacks, [{ classPath: 'EarlyStopping', initArgs: { monitor: 'val_loss', patience: 5 } }]);
  });
});

describe('--print_config', () => {
  it('prints the merged, defaulted config as YAML and exits 0 without running', async () => {
    const { code, stdout, stderr } = await run(['fit', '--config', fixture('base.yaml'), '--config', fixture('override.yaml'), '--trainer.maxEpochs=2',
      '--optimizer', 'Adam', '--optimizer.initArgs.lr', '0.003', '--print_config'], fixture('.'));
    assert.equal(code, 0, stderr);
    assert.equal(stderr, '');
    const printed = parse(stdout) as Record<string, Record<string, unknown>>;
    assert.deepEqual(Object.keys(printed), ['seedEverything', 'trainer', 'model', 'data', 'optimizer', 'lrScheduler', 'ckptPath']);
    assert.equal(printed.trainer?.maxEpochs, 2);
    assert.equal(printed.trainer?.limitTrainBatches, 2);
    assert.equal(printed.trainer?.logEveryNSteps, 50);
    assert.equal(printed.trainer?.numSanityValSteps, 2);
    assert.equal(printed.trainer?.limitValBatches, null);
    // classPaths are printed relative to the working directory, ready for `--print_config > cfg.yaml`.
    assert.deepEqual(printed.model, { classPath: './tiny-model.ts#TinyModel', initArgs: { lr: 0.1, hidden: 16 } });
    assert.deepEqual(printed.optimizer, { classPath: 'Adam', initArgs: { lr: 0.003 } });
    assert.equal(printed.lrScheduler, null);
    assert.equal(Object.keys(printed.trainer ?? {}).length, Object.keys(TRAINER_DEFAULTS).length);
  });

  it('round-trips: the printed config given back as --config prints the same config', async () => {
    const dir = tempDir();
    const first = await run(['fit', '--config', fixture('base.yaml'), '--trainer.limitValBatches', '3', '--print_config'], dir);
    writeFileSync(join(dir, 'printed.yaml'), first.stdout);
    const second = await run(['fit', '--config', 'printed.yaml', '--print_config'], dir);
    assert.equal(second.code, 0, second.stderr);
    assert.equal(second.stdout, first.stdout);
  });
});
