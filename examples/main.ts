// The main job: train the Fashion-MNIST classifier on the shipped sample (progress bar, CSV + TensorBoard logs,
// checkpoints), then test the best checkpoint and print the results table.
import { trainFashionMnist } from './fashion-mnist/train.js';

const started = performance.now();
const { test, bestValAcc, bestPath } = await trainFashionMnist({ epochs: 8 });
const seconds = (performance.now() - started) / 1000;
console.log(`\nBest validation accuracy: ${(100 * (bestValAcc ?? Number.NaN)).toFixed(2)}% (checkpoint ${bestPath})`);
console.log(`Test accuracy: ${(100 * (test.test_acc ?? Number.NaN)).toFixed(2)}%  —  ${seconds.toFixed(1)} s in total`);
console.log('Logs: lightning_logs/fashion-mnist (metrics.csv, TensorBoard events, hparams.yaml, checkpoints/)');
