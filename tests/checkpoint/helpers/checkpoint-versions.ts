// The checkpoint versions save-loop.ts writes: version v is recognisable from every byte of its tensors.
import { encodeSafetensors, typedArrayToRaw } from '../../../src/checkpoint/safetensors.js';

/** Number of float32 values in version `v`'s weight (sizes vary between 64 KB and 2 MB). */
export function weightSize(v: number): number {
  return 16_384 * (1 + (v % 32));
}

/** The bytes of checkpoint version `v`: every weight value equals `v`, the optimizer tensor equals `-v`. */
export function checkpointBytes(v: number): Uint8Array {
  const weight = new Float32Array(weightSize(v)).fill(v);
  const expAvg = new Float32Array(64).fill(-v);
  const document = {
    formatVersion: 1,
    lightningTsVersion: '0.1.0',
    epoch: v,
    globalStep: v * 10,
    stateDict: { weight: { __tensor__: 'weight' } },
    optimizerStates: [{ state: { 0: { expAvg: { __tensor__: '@optimizerStates/0/state/0/expAvg' } } }, paramGroups: [] }],
  };
  return encodeSafetensors(
    { weight: typedArrayToRaw(weight, [weight.length]), '@optimizerStates/0/state/0/expAvg': typedArrayToRaw(expAvg, [64]) },
    { format: 'pt', lightning_ts: JSON.stringify(document) },
  );
}
