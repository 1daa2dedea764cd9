import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { inflateSync } from 'node:zlib';
import { MemoryLogFileSystem, joinPath, readTextFile } from '../../src/loggers/file-system.js';
import { CSVLogger } from '../../src/loggers/csv-logger.js';
import { TensorBoardLogger } from '../../src/loggers/tensorboard/tensorboard-logger.js';
import { DummyLogger } from '../../src/loggers/dummy-logger.js';
import { InMemoryLogger } from '../../src/loggers/in-memory-logger.js';
import { storedDeflate } from '../../src/loggers/tensorboard/png.js';
import type { Logger } from '../../src/loggers/logger.js';
import { decodeRun } from './tfevents-reader.js';

describe('MemoryLogFileSystem and browser-style loggers', () => {
  it('lists, appends and reports directories like a file system', () => {
    const fs = new MemoryLogFileSystem();
    fs.mkdir('root/a/b');
    fs.writeFile('root/a/f.txt', 'x');
    fs.appendFile('root/a/f.txt', 'y');
    fs.appendFile('root/g.txt', 'z');
    assert.deepEqual(fs.readdir('root'), ['a', 'g.txt']);
    assert.deepEqual(fs.readdir('root/a/'), ['b', 'f.txt']);
    assert.equal(readTextFile(fs, 'root/a/f.txt'), 'xy');
    assert.equal(fs.isDirectory('root/a/b'), true);
    assert.equal(fs.isDirectory('root/a/f.txt'), false);
    fs.removeFile('root/g.txt');
    assert.equal(fs.exists('root/g.txt'), false);
    assert.throws(() => fs.readFile('nope'), /ENOENT/);
    assert.equal(joinPath('/tmp/', '', 'x/', '/y'), '/tmp/x/y');
  });

  it('runs CSVLogger and TensorBoardLogger without Node fs (stored-deflate PNGs)', () => {
    const fs = new MemoryLogFileSystem();
    const csv = new CSVLogger({ saveDir: '/logs', fs });
    const tb = new TensorBoardLogger({ saveDir: '/logs', name: 'tb', fs, deflate: storedDeflate, hostname: 'browser', pid: 0 });
    for (const logger of [csv, tb] as Logger[]) {
      logger.logHyperparams({ lr: 0.5 });
      logger.logMetrics({ loss: 2 }, 0);
      void logger.finalize('success');
    }
    tb.logImage('px', { width: 2, height: 1, channels: 1, data: new Uint8Array([7, 250]) });
    tb.save();
    assert.equal(readTextFile(fs, '/logs/lightning_logs/version_0/metrics.csv'), 'loss,step\r\n2,0\r\n');
    const run = decodeRun(fs.readFile(tb.eventFilePath!));
    assert.deepEqual(run.scalars, [{ tag: 'loss', step: 0, value: 2 }]);
    const png = run.images[0]!.png;
    const idatLen = new DataView(png.buffer, png.byteOffset).getUint32(33);
    assert.deepEqual([...inflateSync(png.subarray(41, 41 + idatLen))], [0, 7, 250]);
    assert.deepEqual([...inflateSync(storedDeflate(new Uint8Array(70000).fill(3)))].length, 70000);
  });

  it('InMemoryLogger keeps rows, hparams and status; DummyLogger swallows everything', () => {
    const mem = new InMemoryLogger({ prefix: 'p' });
    mem.logHyperparams({ a: 1 }, { m: 0 });
    mem.logMetrics({ loss: 3 });
    mem.logMetrics({ loss: 2, acc: 0.5 }, 10);
    mem.afterSaveCheckpoint({ lastModelPath: 'last.ckpt' });
    mem.save();
    mem.finalize('interrupted');
    assert.deepEqual(mem.history('p-loss'), [[0, 3], [10, 2]]);
    assert.deepEqual(mem.latest(), { 'p-loss': 2, 'p-acc': 0.5 });
    assert.deepEqual([mem.hparams, mem.hparamMetrics, mem.checkpoints, mem.status, mem.saveCount], [{ a: 1 }, { m: 0 }, [{ lastModelPath: 'last.ckpt' }], 'interrupted', 1]);
    const other = new InMemoryLogger({ rank: 2 });
    other.logMetrics({ loss: 1 });
    assert.equal(other.rows.length, 0);
    const dummy: Logger = new DummyLogger();
    dummy.logMetrics({ loss: 1 });
    assert.deepEqual([dummy.name, dummy.version], ['', '']);
  });
});
