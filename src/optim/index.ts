/** `optim`: optimizers, LR schedulers and gradient clipping with `torch.optim`'s semantics. */
export { Optimizer } from './optimizer.js';
export type { ParamGroup, ParamGroupInput, BaseGroupOptions, StepClosure, OptimizerStateDict } from './optimizer.js';
export { ElementwiseOptimizer } from './elementwise-optimizer.js';
export type { UpdateImplementation, ImplementationOptions, RuleInput, RuleOutput } from './elementwise-optimizer.js';
export { SGD } from './sgd.js';
export type { SGDOptions, SGDGroupOptions } from './sgd.js';
export { Adam, AdamW } from './adam.js';
export type { AdamOptions, AdamGroupOptions } from './adam.js';
export { RMSprop } from './rmsprop.js';
export type { RMSpropOptions, RMSpropGroupOptions } from './rmsprop.js';
export { Adagrad } from './adagrad.js';
export type { AdagradOptions, AdagradGroupOptions } from './adagrad.js';
export { Adadelta } from './adadelta.js';
export type { AdadeltaOptions, AdadeltaGroupOptions } from './adadelta.js';
export { Adamax } from './adamax.js';
export type { AdamaxOptions, AdamaxGroupOptions } from './adamax.js';
export { clipGradNorm, clipGradValue } from './clip-grad.js';
export type { ClipGradNormOptions } from './clip-grad.js';
export { LRScheduler, LambdaLR, MultiplicativeLR, StepLR, MultiStepLR, ExponentialLR } from './lr-scheduler.js';
export type { SchedulerBaseOptions, LRSchedulerState, LrLambda, StepLROptions, MultiStepLROptions } from './lr-scheduler.js';
export { ConstantLR, LinearLR, PolynomialLR, CosineAnnealingLR, CosineAnnealingWarmRestarts } from './lr-scheduler-decay.js';
export type {
  ConstantLROptions,
  LinearLROptions,
  PolynomialLROptions,
  CosineAnnealingLROptions,
  CosineAnnealingWarmRestartsOptions,
} from './lr-scheduler-decay.js';
export { OneCycleLR, CyclicLR } from './lr-scheduler-cyclic.js';
export type { OneCycleLROptions, CyclicLROptions, PerGroup } from './lr-scheduler-cyclic.js';
export { SequentialLR, ChainedScheduler } from './lr-scheduler-composite.js';
export type { SequentialLROptions } from './lr-scheduler-composite.js';
export { ReduceLROnPlateau, isReduceLROnPlateau } from './lr-scheduler-plateau.js';
export type { ReduceLROnPlateauOptions, ReduceLROnPlateauState, AnyLRScheduler } from './lr-scheduler-plateau.js';
