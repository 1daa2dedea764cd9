/** `optim`: optimizers and LR schedulers with `torch.optim`'s semantics. */
export { Optimizer } from './optimizer.js';
export type { ParamGroup, ParamGroupInput, BaseGroupOptions, StepClosure, OptimizerStateDict } from './optimizer.js';
