/** The single-process strategy: rank 0 of 1; collectives are identities. */
import type { StrategyLike } from '../core/trainer-context.js';

/** Everything runs in this process. */
export class SingleDeviceStrategy implements StrategyLike {
  readonly globalRank = 0;
  readonly localRank = 0;
  readonly worldSize = 1;
  readonly isGlobalZero = true;

  async barrier(_name?: string): Promise<void> {}

  reduce(value: number, _op: 'mean' | 'sum' | 'max' | 'min'): Promise<number> {
    return Promise.resolve(value);
  }

  reduceBooleanDecision(decision: boolean, _all: boolean): Promise<boolean> {
    return Promise.resolve(decision);
  }

  broadcast<T>(value: T, _src?: number): Promise<T> {
    return Promise.resolve(value);
  }
}
