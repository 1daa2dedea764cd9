/** lightning-ts public API: explicit named re-exports, nothing else. */
export {
  LightningError,
  MisconfigurationError,
  BackendError,
  StateDictError,
  CorruptFileError,
  AnomalyError,
} from './errors.js';
export { tf } from './runtime/tf.js';
export { selectBackend, currentBackend } from './runtime/backend.js';
export type { BackendName, BackendChoice } from './runtime/backend.js';
export { valueAndGrads } from './runtime/autograd.js';
export type { ValueAndGrads } from './runtime/autograd.js';
export { seedEverything, getGlobalSeed, isolateRng } from './utilities/seed.js';
export { Generator } from './utilities/random.js';
export * as nn from './nn/index.js';
export * as optim from './optim/index.js';
