import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { alignCurves, flattenParams, forLogScale, formatDuration, formatNumber, metricGroup, smoothValues, sortGroups, toCurve } from '../../src/dashboard/client/series.js';

describe('dashboard chart data', () => {
  it('groups metrics by prefix, with the learning rate on its own', () => {
    const names = ['train/loss', 'val/acc', 'val_loss', 'test/acc', 'lr-Adam', 'lr-SGD/pg1', 'lr', 'grad_norm', 'custom/x', 'learning'];
    assert.deepEqual(names.map(metricGroup), ['train', 'val', 'val', 'test', 'learning rate', 'learning rate', 'learning rate', 'other', 'custom', 'other']);
    assert.deepEqual(sortGroups(['other', 'custom', 'learning rate', 'val', 'train', 'val']), ['train', 'val', 'learning rate', 'custom', 'other']);
  });

  it('builds step and epoch curves (last value per x wins, points without an epoch left out)', () => {
    const points = { step: [0, 1, 2, 2, 3, 4], epoch: [0, 0, 0, 0, 1, null], value: [5, 4, 3, 2.5, 1, 0.5] };
    assert.deepEqual(toCurve(points, 'step'), { x: [0, 1, 2, 3, 4], y: [5, 4, 2.5, 1, 0.5] });
    assert.deepEqual(toCurve(points, 'epoch'), { x: [0, 1], y: [2.5, 1] });
  });

  it('smooths with a debiased exponential moving average (TensorBoard), keeping gaps', () => {
    const w = 0.6;
    const out = smoothValues([1, 3, null, 2], w);
    // Hand computation: ema_k = w*ema_{k-1} + (1-w)*v_k from 0, divided by 1 - w^k.
    const e1 = 0.4 * 1;
    const e2 = w * e1 + 0.4 * 3;
    const e3 = w * e2 + 0.4 * 2;
    assert.deepEqual(out, [e1 / (1 - w), e2 / (1 - w ** 2), null, e3 / (1 - w ** 3)]);
    assert.equal(out[0], 1, 'the first point is not pulled towards zero');
    assert.deepEqual(smoothValues([1, 2], 0), [1, 2]);
  });

  it('drops non-positive values on a log scale and aligns runs on the union of their x values', () => {
    assert.deepEqual(forLogScale([1, 0, -2, null, 0.5]), [1, null, null, null, 0.5]);
    assert.deepEqual(alignCurves([{ x: [0, 2, 4], y: [1, 2, 3] }, { x: [1, 2], y: [9, null] }]), [
      [0, 1, 2, 4],
      [1, null, 2, 3],
      [null, 9, null, null],
    ]);
  });

  it('formats hyperparameters, numbers and durations for the tables', () => {
    assert.deepEqual(flattenParams({ lr: 0.1, opt: { name: 'adam', betas: [0.9, 0.99] }, none: null }), { lr: '0.1', 'opt/name': 'adam', 'opt/betas': '[0.9,0.99]', none: 'null' });
    assert.deepEqual([formatNumber(0.123456), formatNumber(3), formatNumber(1e-5), formatNumber(null)], ['0.12346', '3', '1.000e-5', '—']);
    assert.deepEqual([formatDuration(5234), formatDuration(184_000), formatDuration(3_725_000), formatDuration(null)], ['5.2s', '3m 04s', '1h 02m', '—']);
  });
});
