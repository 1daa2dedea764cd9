/** Prediction: eval mode, batch hooks, `predictStep` outputs streamed one batch at a time. */
import type { DataSource } from '../../core/hooks.js';
import { tf } from '../../runtime/tf.js';
import { BatchFetcher, disposeTensors, transferBatch } from '../data-connector.js';
import type { RunContext } from '../run-context.js';
import { maybeYield } from '../../utilities/event-loop.js';

/** One prediction with where it came from. */
export interface PredictionItem<T = unknown> {
  /** What `predictStep` returned (tensors are the caller's to dispose). */
  prediction: T;
  batchIdx: number;
  dataloaderIdx: number;
}

/** Yields each batch's prediction as soon as it is computed (nothing is accumulated). */
export async function* streamPredictions(run: RunContext, loaders: DataSource[], counts: number[]): AsyncGenerator<PredictionItem> {
  const { dispatcher, connector } = run;
  await dispatcher.callModule('onPredictModelEval');
  await dispatcher.callBoth('onPredictStart', []);
  await dispatcher.callBoth('onPredictEpochStart', []);
  for (let dl = 0; dl < loaders.length; dl++) {
    const loader = loaders[dl];
    if (loader === undefined) continue;
    const fetcher = new BatchFetcher(loader, counts[dl] ?? 0);
    try {
      for (let batchIdx = 0; ; batchIdx++) {
        const next = await fetcher.next();
        if (next === undefined) break;
        const batch = transferBatch(dispatcher, run.datamodule, next.batch, dl, run.device);
        connector.currentBatch = batch;
        await dispatcher.callCallbacks('onPredictBatchStart', [batch, batchIdx, dl]);
        await dispatcher.callModule('onPredictBatchStart', batch, batchIdx, dl);
        tf.engine().startScope();
        let prediction: unknown;
        try {
          prediction = await dispatcher.callModule('predictStep', batch, batchIdx, dl);
        } finally {
          tf.engine().endScope(prediction as tf.TensorContainer);
        }
        await dispatcher.callCallbacks('onPredictBatchEnd', [prediction, batch, batchIdx, dl]);
        await dispatcher.callModule('onPredictBatchEnd', prediction, batch, batchIdx, dl);
        if (fetcher.ownsBatches) disposeTensors(batch);
        yield { prediction, batchIdx, dataloaderIdx: dl };
        await maybeYield();
        if (run.interruptRequested) break;
      }
    } finally {
      await fetcher.close();
    }
  }
  await dispatcher.callBoth('onPredictEpochEnd', []);
  await dispatcher.callBoth('onPredictEnd', []);
}
