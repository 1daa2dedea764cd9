/** Stepping LR schedulers by interval and frequency, and plateau schedulers with their monitored metric. */
import { MisconfigurationError } from '../../errors.js';
import { warn } from '../../utilities/warnings.js';
import type { RunContext } from '../run-context.js';

/**
 * Step the schedulers whose interval is `interval` (`"step"` uses the batch index, `"epoch"` the epoch), only the
 * plateau ones when `plateau` is true and only the others when false.
 */
export function updateLrSchedulers(run: RunContext, interval: 'step' | 'epoch', plateau: boolean, batchIdx: number): void {
  if (!run.module.automaticOptimization) return;
  for (const config of run.lrSchedulerConfigs) {
    if (plateau !== config.reduceOnPlateau || config.interval !== interval) continue;
    const currentIdx = (interval === 'step' ? batchIdx : run.trainer.currentEpoch) + 1;
    if (currentIdx % config.frequency !== 0) continue;
    let metric: number | undefined;
    if (config.reduceOnPlateau) {
      const key = config.monitor ?? '';
      const available = run.trainer.callbackMetrics;
      metric = available[key];
      if (metric === undefined) {
        const keys = Object.keys(available);
        const message = `ReduceLROnPlateau conditioned on metric "${key}" which is not available. Available metrics are: [${keys.join(', ')}].`;
        if (config.strict) {
          throw new MisconfigurationError(message, `Log "${key}" with this.log("${key}", value), or set strict: false in the scheduler config to skip the step.`);
        }
        warn('LT1401', `${message} The scheduler step is skipped (strict: false).`);
        continue;
      }
    }
    run.progress.schedulerSteps.increment('ready');
    run.dispatcher.callModuleSync('lrSchedulerStep', config.scheduler, metric);
    run.progress.schedulerSteps.increment('completed');
  }
}
