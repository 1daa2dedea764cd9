/** Public surface of the tuner package. */
export { Tuner, isOutOfMemoryError } from './tuner.js';
export type { LrFindOptions, ScaleBatchSizeOptions, TunerData } from './tuner.js';
export { LearningRateFinder, LrFinderResult, gradient, lrAtStep, resolveLrFinderOptions } from './lr-finder.js';
export type { LrFinderOptions, ResolvedLrFinderOptions } from './lr-finder.js';
