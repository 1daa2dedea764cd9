/**
 * One cold start, run by `bench/cold-start.ts` in a fresh process: import lightning-ts, build a Trainer with the
 * defaults (backend "auto", logger, checkpointing, summary) and fit a tiny module until its first `trainingStep`.
 * Prints one JSON line: ms since process start (Node's `performance.now()` origin) at each mark.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { OptimizerConfigOutput, Scalar, Tensor } from '../src/index.js';

const beforeImport = performance.now();
const lt = await import('../src/index.js');
const afterImport = performance.now();

type Batch = [Tensor, Tensor];
let firstStep: number | undefined;

class Tiny extends lt.LightningModule<Batch> {
  readonly net = new lt.nn.Linear(4, 1);
  override trainingStep([x, y]: Batch): Scalar {
    firstStep ??= performance.now();
    return lt.nn.functional.mseLoss(this.net.call(x), y) as Scalar;
  }
  override configureOptimizers(): OptimizerConfigOutput {
    return new lt.optim.Adam(this.parameters(), { lr: 1e-3 });
  }
}

const root = mkdtempSync(join(tmpdir(), 'lt-cold-'));
const trainer = new lt.Trainer({ maxSteps: 1, defaultRootDir: root, handleSignals: false });
const batches: Batch[] = [[lt.tf.ones([8, 4]), lt.tf.zeros([8, 1])]];
await trainer.fit(new Tiny(), { trainDataloaders: batches });
const fitDone = performance.now();
rmSync(root, { recursive: true, force: true });
console.log(`COLD_START ${JSON.stringify({ beforeImport, afterImport, firstStep, fitDone, backend: lt.tf.getBackend() })}`);
