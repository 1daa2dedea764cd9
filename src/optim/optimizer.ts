/** `Optimizer`: param groups, `step(closure)`, `zeroGrad()` and state dicts with `torch.optim`'s contract. */
import { MisconfigurationError } from '../errors.js';
import type { Tensor } from '../runtime/tf.js';
import type { Parameter } from '../nn/parameter.js';

/** Options every optimizer's param group has. */
export interface BaseGroupOptions {
  /** Learning rate. */
  lr: number;
}

/** A param group: its parameters and its options (`lr`, `weightDecay`, ...), mutable like PyTorch's dicts. */
export type ParamGroup<O extends BaseGroupOptions = BaseGroupOptions> = O & {
  params: Parameter[];
  /** The lr the group started with, set by LR schedulers (PyTorch's `initial_lr`). */
  initialLr?: number;
  /** Optional display name (used by `LearningRateMonitor`). */
  name?: string;
};

/** A param group as passed to a constructor: params plus any options that override the defaults. */
export type ParamGroupInput<O extends BaseGroupOptions = BaseGroupOptions> = Partial<O> & {
  params: Parameter[];
  name?: string;
};

/** What `step` may be given: a function that recomputes the loss and gradients (PyTorch's closure). */
export type StepClosure = () => Tensor | number | null | undefined | void;

/** A serialisable optimizer state: per-parameter state by parameter index, and the groups' options. */
export interface OptimizerStateDict {
  state: Record<number, Record<string, Tensor | number>>;
  paramGroups: Array<Record<string, unknown> & { params: number[] }>;
}

/** Base class of all optimizers. Subclasses implement `update()`, which reads each parameter's `.grad`. */
export abstract class Optimizer<O extends BaseGroupOptions = BaseGroupOptions> {
  /** The param groups; schedulers and callbacks may change their options (e.g. `lr`) between steps. */
  readonly paramGroups: Array<ParamGroup<O>> = [];
  /** The defaults a new group gets for options it does not set. */
  readonly defaults: O;

  protected constructor(params: Parameter[] | Array<ParamGroupInput<O>>, defaults: O) {
    this.defaults = defaults;
    if (params.length === 0) {
      throw new MisconfigurationError(
        `${new.target.name} got an empty parameter list.`,
        'Pass model.parameters() (or param groups); a frozen model has nothing to optimize.',
      );
    }
    const groups = isGroupList(params) ? params : [{ params } as ParamGroupInput<O>];
    for (const g of groups) this.addParamGroup(g);
  }

  /** Add a param group (e.g. when unfreezing a backbone); options default to `defaults`. */
  addParamGroup(group: ParamGroupInput<O>): void {
    const existing = new Set(this.paramGroups.flatMap((g) => g.params));
    if (group.params.some((p) => existing.has(p))) {
      throw new MisconfigurationError(
        'Some parameters appear in more than one param group.',
        'Give each parameter to exactly one group.',
      );
    }
    const resolved = { ...this.defaults, ...group, params: [...group.params] } as ParamGroup<O>;
    this.validateGroup(resolved);
    this.paramGroups.push(resolved);
  }

  /** Check a resolved group's options (e.g. a negative lr); throws a `MisconfigurationError`. */
  protected validateGroup(_group: ParamGroup<O>): void {}

  /**
   * Run `closure` (if given) to compute the loss and gradients, then update every parameter that has a
   * gradient. Returns what the closure returned.
   */
  step(closure?: StepClosure): ReturnType<StepClosure> {
    const loss = closure?.();
    this.update();
    return loss;
  }

  /** Apply one update from the parameters' current `.grad`s. */
  protected abstract update(): void;

  /** Drop every parameter's gradient (PyTorch's `zero_grad(set_to_none=True)`). */
  zeroGrad(): void {
    for (const g of this.paramGroups) for (const p of g.params) p.zeroGrad();
  }

  /** All parameters in group order (their index is the key in `stateDict().state`). */
  protected allParams(): Parameter[] {
    return this.paramGroups.flatMap((g) => g.params);
  }

  /** Per-parameter state as plain tensors/numbers; subclasses return their own buffers. */
  protected abstract paramState(p: Parameter): Record<string, Tensor | number> | undefined;

  /** Restore per-parameter state written by `paramState`. */
  protected abstract loadParamState(p: Parameter, state: Record<string, Tensor | number>): void;

  /** The optimizer's state (PyTorch's layout: `state` by parameter index, `paramGroups` with param indices). */
  stateDict(): OptimizerStateDict {
    const params = this.allParams();
    const state: OptimizerStateDict['state'] = {};
    params.forEach((p, i) => {
      const s = this.paramState(p);
      if (s !== undefined) state[i] = s;
    });
    let offset = 0;
    const paramGroups = this.paramGroups.map((g) => {
      const { params: ps, ...options } = g;
      const ids = ps.map((_, j) => offset + j);
      offset += ps.length;
      return { ...(options as Record<string, unknown>), params: ids };
    });
    return { state, paramGroups };
  }

  /** Load a state produced by `stateDict()` of an optimizer over the same parameters. */
  loadStateDict(sd: OptimizerStateDict): void {
    if (sd.paramGroups.length !== this.paramGroups.length) {
      throw new MisconfigurationError(
        `The optimizer state has ${sd.paramGroups.length} param groups, this ${this.constructor.name} has ${this.paramGroups.length}.`,
        'Load a state saved from the same model and configureOptimizers().',
      );
    }
    const params = this.allParams();
    sd.paramGroups.forEach((saved, i) => {
      const group = this.paramGroups[i];
      if (group === undefined || saved.params.length !== group.params.length) {
        throw new MisconfigurationError(
          `Param group ${i} of the saved optimizer state has ${saved.params.length} parameters, the current one ${group?.params.length ?? 0}.`,
          'Load a state saved from the same model and configureOptimizers().',
        );
      }
      const { params: _ids, ...options } = saved;
      Object.assign(group, options);
    });
    for (const [key, s] of Object.entries(sd.state)) {
      const p = params[Number(key)];
      if (p !== undefined) this.loadParamState(p, s);
    }
  }
}

function isGroupList<O extends BaseGroupOptions>(
  params: Parameter[] | Array<ParamGroupInput<O>>,
): params is Array<ParamGroupInput<O>> {
  const first = params[0] as unknown;
  return typeof first === 'object' && first !== null && 'params' in first && Array.isArray((first).params);
}
