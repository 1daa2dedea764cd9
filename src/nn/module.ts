/**
 * `Module`, the base of every layer and of `LightningModule`. Submodules, parameters and buffers are found from
 * the instance's own fields in definition order (PyTorch's attribute registration, without decorators or proxies),
 * which gives the same dotted state-dict names PyTorch uses (`encoder.0.weight`).
 */
import { LightningError, StateDictError } from '../errors.js';
import type { Tensor } from '../runtime/tf.js';
import { Buffer, Parameter } from './parameter.js';

/** A module's state: tensors by their dotted PyTorch-style names, in registration order. */
export type StateDict = Record<string, Tensor>;

/** What `loadStateDict` found missing or unexpected. */
export interface LoadStateDictResult {
  missingKeys: string[];
  unexpectedKeys: string[];
}

/** Called after `forward` when the module is invoked through `call` (used by summaries and tracing). */
export type ForwardHook = (module: Module, inputs: unknown[], output: unknown) => void;

/** Base class for all neural network modules (`torch.nn.Module`). */
export class Module<In extends unknown[] = unknown[], Out = unknown> {
  /** Training mode (`train()`) or evaluation mode (`eval()`). */
  training = true;
  readonly #forwardHooks = new Set<ForwardHook>();
  readonly #extraChildren = new Map<string, Module>();
  readonly #extraParameters = new Map<string, Parameter>();
  readonly #extraBuffers = new Map<string, Buffer>();

  /** The computation; subclasses override it. */
  forward(...args: In): Out {
    void args;
    throw new LightningError(
      `${this.constructor.name}.forward() is not defined.`,
      `Override forward(...) in ${this.constructor.name}, or call its submodules directly.`,
    );
  }

  /** Run `forward` and the registered forward hooks (PyTorch's `module(x)`). */
  call(...args: In): Out {
    const out = this.forward(...args);
    for (const hook of this.#forwardHooks) hook(this, args, out);
    return out;
  }

  /** Add a hook run after each `call`; returns a function that removes it. */
  registerForwardHook(hook: ForwardHook): () => void {
    this.#forwardHooks.add(hook);
    return () => this.#forwardHooks.delete(hook);
  }

  /** Register a submodule under `name` without a field (containers use this for `0`, `1`, ...). */
  registerModule(name: string, module: Module): void {
    this.#extraChildren.set(name, module);
  }

  /** Register a parameter under `name` without a field. */
  registerParameter(name: string, parameter: Parameter): void {
    this.#extraParameters.set(name, parameter);
  }

  /** Register a buffer under `name` without a field (PyTorch's `register_buffer`). */
  registerBuffer(name: string, buffer: Buffer): void {
    this.#extraBuffers.set(name, buffer);
  }

  /** Own fields and registered entries, in definition order. */
  private ownEntries(): Array<[string, unknown]> {
    return [
      ...Object.entries(this),
      ...this.#extraParameters.entries(),
      ...this.#extraBuffers.entries(),
      ...this.#extraChildren.entries(),
    ];
  }

  /** Direct submodules with their names. */
  namedChildren(): Array<[string, Module]> {
    return this.ownEntries().filter((e): e is [string, Module] => e[1] instanceof Module);
  }

  /** Direct submodules. */
  children(): Module[] {
    return this.namedChildren().map(([, m]) => m);
  }

  /** This module and every descendant, with dotted names ('' for this one); shared modules appear once. */
  namedModules(prefix = '', seen = new Set<Module>()): Array<[string, Module]> {
    if (seen.has(this)) return [];
    seen.add(this);
    const out: Array<[string, Module]> = [[prefix, this]];
    for (const [name, child] of this.namedChildren()) {
      out.push(...child.namedModules(prefix === '' ? name : `${prefix}.${name}`, seen));
    }
    return out;
  }

  /** This module and every descendant. */
  modules(): Module[] {
    return this.namedModules().map(([, m]) => m);
  }

  /** This module's own parameters (not its children's). */
  namedOwnParameters(): Array<[string, Parameter]> {
    return this.ownEntries().filter((e): e is [string, Parameter] => e[1] instanceof Parameter);
  }

  /** This module's own buffers (not its children's). */
  namedOwnBuffers(): Array<[string, Buffer]> {
    return this.ownEntries().filter((e): e is [string, Buffer] => e[1] instanceof Buffer);
  }

  /** Every parameter with its dotted name (`layer1.weight`), own first, then children's; shared ones once. */
  namedParameters(): Array<[string, Parameter]> {
    const seen = new Set<Parameter>();
    const out: Array<[string, Parameter]> = [];
    for (const [prefix, module] of this.namedModules()) {
      for (const [name, p] of module.namedOwnParameters()) {
        if (seen.has(p)) continue;
        seen.add(p);
        out.push([prefix === '' ? name : `${prefix}.${name}`, p]);
      }
    }
    return out;
  }

  /** Every parameter. */
  parameters(): Parameter[] {
    return this.namedParameters().map(([, p]) => p);
  }

  /** Every buffer with its dotted name. */
  namedBuffers(): Array<[string, Buffer]> {
    const out: Array<[string, Buffer]> = [];
    for (const [prefix, module] of this.namedModules()) {
      for (const [name, b] of module.namedOwnBuffers()) out.push([prefix === '' ? name : `${prefix}.${name}`, b]);
    }
    return out;
  }

  /**
   * Parameters and persistent buffers by dotted name, in PyTorch's order (per module: parameters, then
   * buffers, then children). The tensors are the live values, not copies.
   */
  stateDict(): StateDict {
    const out: StateDict = {};
    this.collectState('', out, new Set());
    return out;
  }

  private collectState(prefix: string, out: StateDict, seen: Set<Module>): void {
    if (seen.has(this)) return;
    seen.add(this);
    for (const [name, p] of this.namedOwnParameters()) out[prefix + name] = p.value;
    for (const [name, b] of this.namedOwnBuffers()) if (b.persistent) out[prefix + name] = b.value;
    for (const [name, child] of this.namedChildren()) child.collectState(`${prefix}${name}.`, out, seen);
  }

  /**
   * Copy values from `state` into this module's parameters and buffers. With `strict` (default) missing or
   * unexpected keys throw a `StateDictError` listing them; a shape mismatch always throws.
   */
  loadStateDict(state: StateDict, options: { strict?: boolean } = {}): LoadStateDictResult {
    const strict = options.strict ?? true;
    const targets = new Map<string, Parameter | Buffer>();
    for (const [name, p] of this.namedParameters()) targets.set(name, p);
    for (const [name, b] of this.namedBuffers()) if (b.persistent) targets.set(name, b);
    const missingKeys = [...targets.keys()].filter((k) => !(k in state));
    const unexpectedKeys = Object.keys(state).filter((k) => !targets.has(k));
    if (strict && (missingKeys.length > 0 || unexpectedKeys.length > 0)) {
      throw new StateDictError(
        `Error loading a state dict into ${this.constructor.name}: ` +
          `missing keys [${missingKeys.join(', ')}], unexpected keys [${unexpectedKeys.join(', ')}].`,
        'Check that the state dict comes from the same architecture, or pass { strict: false } to load the matching keys only.',
      );
    }
    for (const [name, target] of targets) {
      const value = state[name];
      if (value === undefined) continue;
      if (!sameShape(value.shape, target.shape)) {
        throw new StateDictError(
          `Size mismatch for "${name}": the state dict has shape [${value.shape.join(', ')}], ` +
            `${this.constructor.name} has [${target.shape.join(', ')}].`,
          'The layer sizes differ from the ones the state dict was saved with; build the module with the same sizes.',
        );
      }
      target.assign(value);
    }
    return { missingKeys, unexpectedKeys };
  }

  /** Set training mode on this module and its descendants; returns `this`. */
  train(mode = true): this {
    for (const m of this.modules()) m.training = mode;
    return this;
  }

  /** Set evaluation mode (`train(false)`); returns `this`. */
  eval(): this {
    return this.train(false);
  }

  /** Stop gradients for every parameter and switch to eval mode (Lightning's `freeze`). */
  freeze(): void {
    for (const p of this.parameters()) p.requiresGrad = false;
    this.eval();
  }

  /** Re-enable gradients for every parameter and switch to train mode. */
  unfreeze(): void {
    for (const p of this.parameters()) p.requiresGrad = true;
    this.train();
  }

  /** Drop every parameter's gradient. */
  zeroGrad(): void {
    for (const p of this.parameters()) p.zeroGrad();
  }

  /** Number of parameter elements (optionally only those that require grad). */
  numParameters(options: { trainableOnly?: boolean } = {}): number {
    const onlyTrainable = options.trainableOnly ?? false;
    return this.parameters()
      .filter((p) => !onlyTrainable || p.requiresGrad)
      .reduce((n, p) => n + p.size, 0);
  }

  /** Call `fn` on every module, children first, then this one (PyTorch's `apply`); returns `this`. */
  apply(fn: (module: Module) => void): this {
    for (const child of this.children()) child.apply(fn);
    fn(this);
    return this;
  }

  /** Free every parameter and buffer. */
  dispose(): void {
    for (const p of this.parameters()) p.dispose();
    for (const [, b] of this.namedBuffers()) b.dispose();
  }
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

