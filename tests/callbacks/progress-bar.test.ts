// ProgressBar: redraw in place under a pseudo-terminal, plain periodic lines when piped (both byte streams checked),
// refresh-rate semantics and stage bars with an in-memory renderer.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { before, describe, it } from 'node:test';
import { ProgressBar } from '../../src/callbacks/progress/progress-bar.js';
import { PlainLineRenderer, formatMetric, formatPlainLine } from '../../src/callbacks/progress/renderer.js';
import type { BarState, ProgressRenderer } from '../../src/callbacks/progress/renderer.js';
import { InMemoryLogger } from '../../src/loggers/in-memory-logger.js';
import { selectBackend } from '../../src/runtime/backend.js';
import type { Scalar, Tensor } from '../../src/runtime/tf.js';
import { Trainer } from '../../src/trainer/trainer.js';
import { BoringModel } from '../helpers/boring-model.js';

const FIXTURE = 'tests/callbacks/fixtures/progress-fit.ts';
const ESC = '\u001b';

function runChild(underPty: boolean): string {
  const cmd = `${JSON.stringify(process.execPath)} --import tsx ${FIXTURE}`;
  const r = underPty
    ? spawnSync('script', ['-qfec', cmd, '/dev/null'], { encoding: 'utf8', env: { ...process.env, COLUMNS: '120' } })
    : spawnSync(process.execPath, ['--import', 'tsx', FIXTURE], { encoding: 'utf8' });
  assert.equal(r.status, 0, `child failed: ${r.stderr}`);
  return r.stdout;
}

class RecordingRenderer implements ProgressRenderer {
  readonly calls: Array<{ op: string; key: string; state?: BarState; leave?: boolean }> = [];
  start(key: string, state: BarState): void { this.calls.push({ op: 'start', key, state }); }
  update(key: string, state: BarState): void { this.calls.push({ op: 'update', key, state }); }
  finish(key: string, state: BarState, leave: boolean): void { this.calls.push({ op: 'finish', key, state, leave }); }
  print(): void {}
  close(): void { this.calls.push({ op: 'close', key: '' }); }
}

describe('ProgressBar', () => {
  before(async () => {
    await selectBackend('cpu');
  });

  it('redraws in place in a pseudo-terminal (script -qfc)', { skip: !existsSync('/usr/bin/script') }, () => {
    const out = runChild(true);
    assert.ok(out.includes(`${ESC}[1G`), 'cursor-to-column escape present');
    assert.ok(out.includes(`${ESC}[0K`), 'clear-to-end-of-line escape present');
    // Every refresh of "Epoch 0" is drawn on the same line: far fewer line feeds than redraws.
    const redraws = out.split('Epoch 0:').length - 1;
    const lineFeeds = out.split('\n').length - 1;
    assert.ok(redraws >= 4, `epoch 0 drawn ${redraws} times`);
    assert.ok(lineFeeds < redraws + 12, `${lineFeeds} line feeds for ${redraws} redraws of one epoch`);
    assert.match(out, /Epoch 1: 100%\|[\u2588]+\| 10\/10 .*train_loss=[\d.]+, v_num=7\]/);
    assert.match(out, /Testing: 100%/);
  });

  it('prints plain periodic lines without escape codes when piped', () => {
    const out = runChild(false);
    assert.ok(!out.includes(ESC), 'no escape codes');
    assert.ok(!out.includes('\r'), 'no carriage returns');
    const lines = out.trimEnd().split('\n');
    const epoch0 = lines.filter((l) => l.startsWith('Epoch 0:'));
    // refreshRate 2 over 8 train batches + 2 validation batches (counted in the main bar) -> 2/10 .. 10/10.
    assert.deepEqual(epoch0.map((l) => /(\d+\/\d+)/.exec(l)?.[1]), ['2/8', '4/8', '6/8', '8/8', '10/10']);
    assert.ok(epoch0.slice(1).every((l) => /train_loss=[\d.]+, v_num=7\]$/.test(l)));
    assert.equal(lines.filter((l) => l.startsWith('Sanity Checking: 100% 2/2')).length, 1);
    assert.equal(lines.filter((l) => l.startsWith('Validation: 100% 2/2')).length, 2);
    assert.equal(lines.filter((l) => l.startsWith('Testing:')).length, 16);
  });

  it('reads the metrics only at refresh time and draws a bar per stage', async () => {
    let reads = 0;
    class Counting extends ProgressBar {
      override getMetrics(...args: Parameters<ProgressBar['getMetrics']>): Record<string, number | string> {
        reads += 1;
        return super.getMetrics(...args);
      }
    }
    class M extends BoringModel {
      override trainingStep(batch: Tensor): Scalar {
        const loss = this.loss(this.forward(batch));
        this.log('l', loss, { progBar: true });
        return loss;
      }
    }
    const renderer = new RecordingRenderer();
    const trainer = new Trainer({
      maxEpochs: 1, limitTrainBatches: 7, limitValBatches: 3, numSanityValSteps: 1, enableModelSummary: false, enableCheckpointing: false,
      handleSignals: false, logger: new InMemoryLogger(), callbacks: [new Counting({ refreshRate: 3, renderer })],
    });
    await trainer.fit(new M());
    const trainUpdates = renderer.calls.filter((c) => c.op === 'update' && c.key === 'train').map((c) => `${c.state?.current}/${c.state?.total}`);
    // batches 3 and 6, the last batch (7), validation counted into the main bar (9 = 3 * 3, 10/10), epoch end.
    assert.deepEqual(trainUpdates, ['3/7', '6/7', '7/7', '9/10', '10/10', '10/10', '10/10']);
    assert.equal(reads, renderer.calls.filter((c) => c.op !== 'start' && c.op !== 'close' && c.key !== 'sanity').length);
    assert.deepEqual(renderer.calls.filter((c) => c.op === 'start').map((c) => c.key), ['sanity', 'train', 'validation']);
    assert.deepEqual(renderer.calls.filter((c) => c.op === 'finish').map((c) => [c.key, c.leave]), [['sanity', false], ['validation', false], ['train', true]]);
    assert.match(renderer.calls.at(-2)?.state?.postfix ?? '', /^l=[\d.e-]+, v_num=0$/);
    assert.equal(renderer.calls.at(-1)?.op, 'close');
  });

  it('formats lines and metrics like tqdm', () => {
    assert.equal(formatMetric(0.123456), '0.123');
    assert.equal(formatMetric(12), '12');
    assert.equal(formatMetric(1.5e-5), '1.50e-5');
    const line = formatPlainLine({ description: 'Epoch 2', current: 16, total: 32, elapsedMs: 2000, postfix: 'v_num=0' });
    assert.equal(line, 'Epoch 2:  50% 16/32 [00:02<00:02, 8.00it/s, v_num=0]');
    const written: string[] = [];
    let now = 0;
    const plain = new PlainLineRenderer({ isTTY: false, write: (t) => written.push(t) }, 1000, () => now);
    const s = (current: number): BarState => ({ description: 'E', current, total: 10, elapsedMs: 1, postfix: '' });
    plain.start('train');
    for (let i = 1; i <= 10; i++) {
      now += 400;
      plain.update('train', s(i));
    }
    plain.finish('train', s(10), true);
    // At most one line per 1000 ms (at 1200, 2400 and 3600 ms), then the final line.
    assert.deepEqual(written.map((w) => /(\d+)\/10/.exec(w)?.[1]), ['3', '6', '9', '10']);
  });

  it('rejects a negative refresh rate', () => {
    assert.throws(() => new ProgressBar({ refreshRate: -1 }), /refreshRate must be a non-negative integer/);
  });
});
