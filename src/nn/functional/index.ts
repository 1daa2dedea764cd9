/** `nn.functional`: activations, `linear`, `dropout` and losses with `torch.nn.functional`'s semantics. */
export { relu, leakyRelu, gelu, silu, sigmoid, tanh, softmax, logSoftmax, dropout, linear, normalizeDim } from './activation.js';
export type { GeluApproximate } from './activation.js';
export { mseLoss, l1Loss, smoothL1Loss } from './regression.js';
export type { ReductionOptions, SmoothL1LossOptions } from './regression.js';
export { crossEntropy, nllLoss, binaryCrossEntropy, binaryCrossEntropyWithLogits, klDiv } from './classification.js';
export type {
  CrossEntropyOptions,
  NllLossOptions,
  BinaryCrossEntropyOptions,
  BinaryCrossEntropyWithLogitsOptions,
  KlDivOptions,
} from './classification.js';
export type { Reduction } from './reduction.js';
