/**
 * The update engine shared by every elementwise optimizer. An optimizer writes its rule once, over tensors; the
 * engine runs it either per parameter tensor or once over a param group's flattened parameters, gradients and
 * state (one concat, ~14 kernels, one split), which saves ~14 kernel dispatches per extra parameter tensor.
 * When the active backend registers a fused kernel for the optimizer (the native backend does for SGD, Adam,
 * AdamW and RMSprop), that one kernel replaces the rule's ~14, with the same numbers.
 */
import { MisconfigurationError, StateDictError } from '../errors.js';
import type { Parameter } from '../nn/parameter.js';
import { tf } from '../runtime/tf.js';
import type { Tensor } from '../runtime/tf.js';
import { Optimizer } from './optimizer.js';
import type { BaseGroupOptions, OptimizerStateDict, ParamGroup, ParamGroupInput } from './optimizer.js';

/** How an optimizer runs its update: over flattened buffers per group, per tensor, or chosen per group. */
export type UpdateImplementation = 'auto' | 'flat' | 'per-tensor';

/** Options every elementwise optimizer takes besides its group options. */
export interface ImplementationOptions {
  /**
   * `"flat"` updates each param group as one flattened vector, `"per-tensor"` updates tensor by tensor, `"auto"`
   * picks flat for groups of several small tensors (where kernel dispatch dominates). Default: `"auto"`.
   */
  implementation?: UpdateImplementation;
}

/** What a rule sees: the parameter, its gradient, its state (null on the first step) and the new step count. */
export interface RuleInput {
  param: Tensor;
  grad: Tensor;
  state: Record<string, Tensor> | null;
  /** The step count including this step (1 on the first update). */
  step: number;
}

/** What a rule returns: the new parameter value and the new state buffers (same names every step). */
export interface RuleOutput {
  param: Tensor;
  state: Record<string, Tensor>;
}

/** Per-parameter state held outside a flat buffer. */
interface TensorState {
  step: number;
  buffers: Record<string, Tensor>;
}

/** A group's state over the flattened concatenation of `params` (all at the same step). */
interface FlatState {
  params: Parameter[];
  step: number;
  buffers: Record<string, Tensor>;
  /** The flattened parameter values after the last update, reused while no one reassigns the parameters. */
  flatParam: Tensor;
  /** Each parameter's data id right after the last update, to detect outside assignments. */
  dataIds: object[];
}

/** A one-kernel update a backend may register for an optimizer: its kernel name and state buffers, in output order. */
interface FusedUpdate {
  kernelName: string;
  stateNames(group: Readonly<Record<string, unknown>>): string[];
}

const adamState = (g: Readonly<Record<string, unknown>>): string[] =>
  g.amsgrad === true ? ['exp_avg', 'exp_avg_sq', 'max_exp_avg_sq'] : ['exp_avg', 'exp_avg_sq'];

/**
 * Fused updates by optimizer class (the native backend registers these kernels; keyed by class so a subclass
 * that changes `rule` keeps the generic path). A kernel takes `{ param, grad, ...state }` and the group's numeric
 * and boolean options plus `step` as attributes, returns `[param, ...state]`, and gives the generic rule's numbers.
 */
const FUSED_UPDATES: Readonly<Record<string, FusedUpdate>> = {
  Adam: { kernelName: 'LightningAdamUpdate', stateNames: adamState },
  AdamW: { kernelName: 'LightningAdamWUpdate', stateNames: adamState },
  SGD: { kernelName: 'LightningSGDUpdate', stateNames: (g) => (g.momentum !== 0 ? ['momentum_buffer'] : []) },
  RMSprop: {
    kernelName: 'LightningRMSpropUpdate',
    stateNames: (g) => ['square_avg', ...(g.centered === true ? ['grad_avg'] : []), ...(Number(g.momentum) > 0 ? ['momentum_buffer'] : [])],
  },
};

type AttrValue = number | boolean | number[];

/** The group's numeric and boolean options (and number pairs such as betas), as kernel attributes. */
function groupAttrs(group: Readonly<Record<string, unknown>>, step: number): Record<string, AttrValue> {
  const attrs: Record<string, AttrValue> = { step };
  for (const [key, value] of Object.entries(group)) {
    if (typeof value === 'number' || typeof value === 'boolean') attrs[key] = value;
    else if (Array.isArray(value) && value.every((v) => typeof v === 'number')) attrs[key] = value;
  }
  return attrs;
}

/** Mean parameter size (elements) up to which `"auto"` flattens a group. */
const AUTO_FLAT_MAX_MEAN_SIZE = 4096;

function flatten(ts: Tensor[]): Tensor {
  return tf.concat(ts.map((t) => (t.rank === 1 ? t : tf.reshape(t, [-1]))), 0);
}

/**
 * Cut a flat vector back into tensors shaped like `params`. On wasm, `Slice`/`SplitV` copy the whole input out of
 * the heap once per piece (quadratic in the number of pieces: 100 pieces of a 13,600-element vector cost ~9 ms), so
 * there we read the vector once and write each piece (two linear copies, no kernels); elsewhere `tf.split`.
 */
function unflattenTo(flat: Tensor, params: Parameter[]): Tensor[] {
  if (tf.getBackend() === 'wasm') {
    const values = flat.dataSync() as Float32Array;
    let offset = 0;
    return params.map((p) => {
      const piece = tf.tensor(values.subarray(offset, offset + p.size), p.shape, 'float32');
      offset += p.size;
      return piece;
    });
  }
  const pieces = tf.split(flat, params.map((p) => p.size));
  return pieces.map((t, i) => {
    const shape = (params[i] as Parameter).shape;
    return shape.length === 1 ? t : tf.reshape(t, shape);
  });
}

function dataIdOf(t: Tensor): object {
  return t.dataId;
}

/** Base of optimizers whose update is elementwise; subclasses implement `rule` (and may set `hasStep`). */
export abstract class ElementwiseOptimizer<O extends BaseGroupOptions> extends Optimizer<O> {
  /** The update implementation chosen at construction. */
  readonly implementation: UpdateImplementation;
  private readonly tensorStates = new Map<Parameter, TensorState>();
  private readonly flatStates = new Map<ParamGroup<O>, FlatState>();

  protected constructor(
    params: Parameter[] | Array<ParamGroupInput<O>>,
    defaults: O,
    options: ImplementationOptions,
  ) {
    super(params, defaults);
    this.implementation = options.implementation ?? 'auto';
  }

  /** Whether the state dict carries a `step` count (PyTorch's SGD has none). */
  protected get hasStep(): boolean {
    return true;
  }

  /** The update rule over (possibly flattened) tensors; runs inside `tf.tidy`. */
  protected abstract rule(group: ParamGroup<O>, input: RuleInput): RuleOutput;

  /** Run one update with the active backend's fused kernel when it has one for this optimizer, else `rule`. */
  private applyRule(group: ParamGroup<O>, input: RuleInput): RuleOutput {
    const fused = FUSED_UPDATES[this.constructor.name];
    if (fused === undefined || tf.getKernel(fused.kernelName, tf.getBackend()) === undefined) return this.rule(group, input);
    const options = group as unknown as Readonly<Record<string, unknown>>;
    const names = fused.stateNames(options);
    const { state } = input;
    const matches = state === null || (Object.keys(state).length === names.length && names.every((n) => state[n] !== undefined));
    if (!matches || input.param.dtype !== 'float32' || input.grad.dtype !== 'float32') return this.rule(group, input);
    const inputs: Record<string, Tensor> = { param: input.param, grad: input.grad };
    if (state !== null) for (const n of names) inputs[n] = state[n] as Tensor;
    const outs = tf.engine().runKernel<Tensor[]>(fused.kernelName, inputs, groupAttrs(options, input.step));
    const next: Record<string, Tensor> = {};
    names.forEach((n, i) => (next[n] = outs[i + 1] as Tensor));
    return { param: outs[0] as Tensor, state: next };
  }

  protected override update(): void {
    for (const group of this.paramGroups) {
      const active = group.params.filter((p) => p.grad !== null);
      if (active.length === 0) continue;
      if (this.shouldFlatten(active) && this.prepareFlat(group, active)) this.flatStep(group);
      else {
        this.unflatten(group);
        for (const p of active) this.tensorStep(group, p);
      }
    }
  }

  private shouldFlatten(active: Parameter[]): boolean {
    if (this.implementation === 'per-tensor' || active.length < 2) return false;
    if (this.implementation === 'flat') return true;
    const total = active.reduce((n, p) => n + p.size, 0);
    return total / active.length <= AUTO_FLAT_MAX_MEAN_SIZE;
  }

  /** Make the group's flat state cover exactly `active`; false when their step counts differ. */
  private prepareFlat(group: ParamGroup<O>, active: Parameter[]): boolean {
    const flat = this.flatStates.get(group);
    if (flat !== undefined && sameList(flat.params, active)) return true;
    this.unflatten(group);
    const states = active.map((p) => this.tensorStates.get(p));
    const step = states[0]?.step ?? 0;
    if (states.some((s) => (s?.step ?? 0) !== step)) return false;
    const buffers: Record<string, Tensor> = {};
    if (step > 0) {
      for (const name of Object.keys(states[0]?.buffers ?? {})) {
        buffers[name] = tf.keep(tf.tidy(() => flatten(states.map((s) => s?.buffers[name] as Tensor))));
      }
    }
    for (const p of active) this.disposeTensorState(p);
    const flatParam = tf.keep(tf.tidy(() => flatten(active.map((p) => p.value))));
    this.flatStates.set(group, { params: [...active], step, buffers, flatParam, dataIds: active.map((p) => dataIdOf(p.value)) });
    return true;
  }

  private flatStep(group: ParamGroup<O>): void {
    const flat = this.flatStates.get(group) as FlatState;
    const { params } = flat;
    const step = flat.step + 1;
    const stale = params.some((p, i) => dataIdOf(p.value) !== flat.dataIds[i]);
    const out = tf.tidy(() => {
      const param = stale ? flatten(params.map((p) => p.value)) : flat.flatParam;
      const grad = flatten(params.map((p) => p.grad as Tensor));
      const r = this.applyRule(group, { param, grad, state: flat.step === 0 ? null : flat.buffers, step });
      const pieces = unflattenTo(r.param, params);
      params.forEach((p, i) => p.assign(pieces[i] as Tensor));
      return { param: r.param, state: r.state };
    });
    // Keep the new state even when step() runs inside a caller's tf.tidy (e.g. manual optimization).
    tf.keep(out.param);
    for (const t of Object.values(out.state)) tf.keep(t);
    for (const [name, t] of Object.entries(flat.buffers)) if (out.state[name] !== t) t.dispose();
    if (out.param !== flat.flatParam) flat.flatParam.dispose();
    flat.flatParam = out.param;
    flat.buffers = out.state;
    flat.step = step;
    flat.dataIds = params.map((p) => dataIdOf(p.value));
  }

  private tensorStep(group: ParamGroup<O>, p: Parameter): void {
    const previous = this.tensorStates.get(p);
    const step = (previous?.step ?? 0) + 1;
    const out = tf.tidy(() => {
      const r = this.applyRule(group, { param: p.value, grad: p.grad as Tensor, state: previous?.buffers ?? null, step });
      p.assign(r.param);
      return r.state;
    });
    for (const t of Object.values(out)) tf.keep(t);
    if (previous !== undefined) for (const [name, t] of Object.entries(previous.buffers)) if (out[name] !== t) t.dispose();
    this.tensorStates.set(p, { step, buffers: out });
  }

  /** Move a group's flat state back into per-parameter tensors shaped like their parameters. */
  private unflatten(group: ParamGroup<O>): void {
    const flat = this.flatStates.get(group);
    if (flat === undefined) return;
    this.flatStates.delete(group);
    const perParam = flat.params.map(() => ({}));
    for (const [name, buffer] of Object.entries(flat.buffers)) {
      const pieces = tf.tidy(() => unflattenTo(buffer, flat.params));
      pieces.forEach((t, i) => ((perParam[i] as Record<string, Tensor>)[name] = tf.keep(t)));
      buffer.dispose();
    }
    flat.flatParam.dispose();
    if (flat.step === 0) return;
    flat.params.forEach((p, i) => this.tensorStates.set(p, { step: flat.step, buffers: perParam[i] as Record<string, Tensor> }));
  }

  private disposeTensorState(p: Parameter): void {
    const s = this.tensorStates.get(p);
    if (s === undefined) return;
    for (const t of Object.values(s.buffers)) t.dispose();
    this.tensorStates.delete(p);
  }

  /**
   * The state in PyTorch's layout (`state[i] = { step, exp_avg, ... }`). Its tensors belong to the optimizer and
   * stay valid until the next `step()`/`loadStateDict()`: serialise or clone them before stepping again.
   */
  override stateDict(): OptimizerStateDict {
    for (const group of this.paramGroups) this.unflatten(group);
    return super.stateDict();
  }

  protected override paramState(p: Parameter): Record<string, Tensor | number> | undefined {
    const s = this.tensorStates.get(p);
    if (s === undefined) return undefined;
    return this.hasStep ? { step: s.step, ...s.buffers } : { ...s.buffers };
  }

  override loadStateDict(sd: OptimizerStateDict): void {
    this.disposeState();
    super.loadStateDict(sd);
  }

  protected override loadParamState(p: Parameter, state: Record<string, Tensor | number>): void {
    const buffers: Record<string, Tensor> = {};
    let step = 1;
    for (const [name, value] of Object.entries(state)) {
      if (name === 'step') {
        step = typeof value === 'number' ? value : (value.dataSync()[0] ?? 0);
        continue;
      }
      if (typeof value === 'number') continue;
      if (value.size !== p.size) {
        throw new StateDictError(
          `Optimizer state "${name}" has shape [${value.shape.join(', ')}] but its parameter has shape [${p.shape.join(', ')}].`,
          'Load a state saved for the same model and the same parameter order.',
        );
      }
      buffers[name] = tf.keep(tf.tidy(() => tf.reshape(tf.cast(value, 'float32'), p.shape).clone()));
    }
    this.tensorStates.set(p, { step, buffers });
  }

  /** Free every state tensor (the optimizer starts afresh on its next step). */
  disposeState(): void {
    for (const group of [...this.flatStates.keys()]) this.unflatten(group);
    for (const p of [...this.tensorStates.keys()]) this.disposeTensorState(p);
  }
}

function sameList(a: Parameter[], b: Parameter[]): boolean {
  return a.length === b.length && a.every((p, i) => p === b[i]);
}

/** Throw a `MisconfigurationError` for an invalid hyperparameter of `optimizer`. */
export function invalid(optimizer: string, name: string, value: unknown, expected: string): never {
  throw new MisconfigurationError(
    `${optimizer} got an invalid ${name}: ${JSON.stringify(value)}.`,
    `Pass ${name} ${expected}.`,
  );
}

/** Check that `value` is a finite number >= 0. */
export function checkNonNegative(optimizer: string, name: string, value: number): void {
  if (!(typeof value === 'number' && value >= 0 && Number.isFinite(value))) invalid(optimizer, name, value, '>= 0');
}

/** Check a `[beta1, beta2]` pair, each in [0, 1). */
export function checkBetas(optimizer: string, betas: readonly number[]): void {
  const ok = betas.length === 2 && betas.every((b) => typeof b === 'number' && b >= 0 && b < 1);
  if (!ok) invalid(optimizer, 'betas', betas, 'as [beta1, beta2] with each in [0, 1), e.g. [0.9, 0.999]');
}
