/**
 * Containers with PyTorch's child names: `Sequential` and `ModuleList` register children as "0", "1", ...,
 * `ModuleDict` under its keys, so state-dict keys read `0.weight`, `layers.2.bias`, `heads.cls.weight`.
 */
import { LightningError } from '../errors.js';
import { tf } from '../runtime/tf.js';
import type { Tensor } from '../runtime/tf.js';
import { Module } from './module.js';

/** A Tensor → Tensor layer, the kind `Sequential` chains. */
export type Layer = Module<[Tensor], Tensor>;

/** Chains layers, each fed the previous one's output (`torch.nn.Sequential`). */
export class Sequential extends Module<[Tensor], Tensor> {
  readonly #layers: Layer[] = [];

  constructor(...layers: Layer[]) {
    super();
    for (const layer of layers) this.append(layer);
  }

  /** Add a layer at the end; returns `this`. */
  append(layer: Layer): this {
    this.registerModule(String(this.#layers.length), layer);
    this.#layers.push(layer);
    return this;
  }

  /** The layer at `index` (negative counts from the end). */
  at(index: number): Layer {
    return checkedAt(this.#layers, index, 'Sequential');
  }

  /** Number of layers. */
  get length(): number {
    return this.#layers.length;
  }

  /** The layers in order. */
  [Symbol.iterator](): Iterator<Layer> {
    return this.#layers[Symbol.iterator]();
  }

  override forward(x: Tensor): Tensor {
    return tf.tidy(() => this.#layers.reduce((h, layer) => layer.call(h), x));
  }
}

function checkedAt<T>(items: readonly T[], index: number, container: string): T {
  const item = items.at(index);
  if (item === undefined || !Number.isInteger(index)) {
    throw new LightningError(`${container} index ${index} is out of range for ${items.length} modules.`);
  }
  return item;
}

/** Holds submodules in a list (`torch.nn.ModuleList`); it has no forward, the owner decides how to call them. */
export class ModuleList<M extends Module = Module> extends Module {
  readonly #items: M[] = [];

  constructor(modules: Iterable<M> = []) {
    super();
    for (const m of modules) this.append(m);
  }

  /** Add a module at the end; returns `this`. */
  append(module: M): this {
    this.registerModule(String(this.#items.length), module);
    this.#items.push(module);
    return this;
  }

  /** The module at `index` (negative counts from the end). */
  at(index: number): M {
    return checkedAt(this.#items, index, 'ModuleList');
  }

  /** Number of modules. */
  get length(): number {
    return this.#items.length;
  }

  /** The modules in order. */
  [Symbol.iterator](): Iterator<M> {
    return this.#items[Symbol.iterator]();
  }
}

/** Holds submodules by name, in insertion order (`torch.nn.ModuleDict`). */
export class ModuleDict<M extends Module = Module> extends Module {
  readonly #items = new Map<string, M>();

  constructor(modules: Record<string, M> | Iterable<[string, M]> = {}) {
    super();
    const entries = Symbol.iterator in modules ? modules : Object.entries(modules);
    for (const [key, m] of entries) this.set(key, m);
  }

  /** Add a module under `key` (keys cannot be replaced once registered, and may not contain "."). */
  set(key: string, module: M): this {
    if (key === '' || key.includes('.') || this.#items.has(key)) {
      throw new LightningError(
        `ModuleDict key ${JSON.stringify(key)} is ${this.#items.has(key) ? 'already registered' : 'not a valid module name'}.`,
        'Use a unique, non-empty key without "." (the dot separates names in the state dict).',
      );
    }
    this.registerModule(key, module);
    this.#items.set(key, module);
    return this;
  }

  /** The module under `key`. */
  get(key: string): M {
    const m = this.#items.get(key);
    if (m === undefined) {
      throw new LightningError(`ModuleDict has no key ${JSON.stringify(key)}.`, `Available keys: ${[...this.#items.keys()].join(', ')}.`);
    }
    return m;
  }

  /** Whether `key` is registered. */
  has(key: string): boolean {
    return this.#items.has(key);
  }

  /** The keys in insertion order. */
  keys(): string[] {
    return [...this.#items.keys()];
  }

  /** Number of modules. */
  get size(): number {
    return this.#items.size;
  }

  /** `[key, module]` pairs in insertion order. */
  [Symbol.iterator](): Iterator<[string, M]> {
    return this.#items[Symbol.iterator]();
  }
}
