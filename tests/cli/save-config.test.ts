// SaveConfigCallback through an injected file system: writes on fit setup only, classPaths relative to the log
// dir, never over an existing file unless overwrite is set, nothing in fast-dev-run.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { SaveConfigCallback, validateConfig } from '../../src/cli/index.js';
import type { LightningModule } from '../../src/core/module.js';
import type { TrainerContext } from '../../src/core/trainer-context.js';
import { MemoryLogFileSystem, readTextFile } from '../../src/loggers/file-system.js';

const config = validateConfig({ seedEverything: 3, model: { classPath: '/project/src/model.ts#Net', initArgs: { lr: 0.1 } }, trainer: { maxEpochs: 2 } });
const module = {} as LightningModule;

function context(logDir: string, fastDevRun = 0): TrainerContext {
  return { logDir, isGlobalZero: true, settings: { fastDevRun } } as unknown as TrainerContext;
}

describe('SaveConfigCallback', () => {
  it('writes <logDir>/config.yaml at fit setup with classPaths relative to it', () => {
    const writer = new MemoryLogFileSystem();
    const callback = new SaveConfigCallback(config, { writer });
    callback.setup(context('/project/logs/version_0'), module, 'validate');
    assert.equal(writer.exists('/project/logs/version_0/config.yaml'), false);
    callback.setup(context('/project/logs/version_0'), module, 'fit');
    assert.equal(callback.savedPath, '/project/logs/version_0/config.yaml');
    const saved = parse(readTextFile(writer, '/project/logs/version_0/config.yaml')) as Record<string, Record<string, unknown>>;
    assert.deepEqual(saved.model, { classPath: '../../src/model.ts#Net', initArgs: { lr: 0.1 } });
    assert.equal(saved.trainer?.maxEpochs, 2);
    assert.equal(saved.seedEverything, 3);
  });

  it('refuses to overwrite unless overwrite is true; writes nothing in fast-dev-run', () => {
    const writer = new MemoryLogFileSystem();
    writer.mkdir('/logs');
    writer.writeFile('/logs/config.yaml', 'earlier run');
    assert.throws(() => new SaveConfigCallback(config, { writer }).setup(context('/logs'), module, 'fit'), {
      name: 'MisconfigurationError',
      message: /would overwrite \/logs\/config\.yaml/,
    });
    assert.equal(readTextFile(writer, '/logs/config.yaml'), 'earlier run');
    new SaveConfigCallback(config, { writer, overwrite: true, configFilename: 'config.yaml' }).setup(context('/logs'), module, 'fit');
    assert.match(readTextFile(writer, '/logs/config.yaml'), /^seedEverything: 3\n/);
    const quiet = new MemoryLogFileSystem();
    new SaveConfigCallback(config, { writer: quiet }).setup(context('/dev-run', 1), module, 'fit');
    assert.equal(quiet.exists('/dev-run/config.yaml'), false);
  });
});
