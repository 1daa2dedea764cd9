/** `summarize`: the rows and totals of a model summary (name, type, params, mode, in/out shapes), and its table. */
import type { LightningModule } from '../core/module.js';
import type { Module } from '../nn/module.js';
import { tf } from '../runtime/tf.js';

/** A shape as the summary shows it: `[2, 32]`, nested lists for several tensors, or `?` when never called. */
export type SummaryShape = number[] | SummaryShape[] | '?';

/** One summarized layer. */
export interface LayerSummary {
  /** Dotted name (`encoder.0`). */
  name: string;
  /** Class name (`Linear`). */
  type: string;
  /** Parameter elements of the layer and its children. */
  params: number;
  /** `train` or `eval`. */
  mode: 'train' | 'eval';
  /** Input shapes of the first call during the example forward (when `exampleInputArray` is set). */
  inSizes?: SummaryShape;
  /** Output shapes of that call. */
  outSizes?: SummaryShape;
}

/** The whole summary: layer rows and totals. */
export interface ModelSummaryData {
  layers: LayerSummary[];
  trainableParams: number;
  nonTrainableParams: number;
  totalParams: number;
  /** Estimated size of the parameters in MB (4 bytes each, float32). */
  modelSizeMb: number;
  modulesInTrainMode: number;
  modulesInEvalMode: number;
  /** Whether shapes were captured (the module had an `exampleInputArray`). */
  hasShapes: boolean;
}

function shapeOf(x: unknown, depth = 0): SummaryShape {
  if (x instanceof tf.Tensor) return [...(x.shape as readonly number[])];
  if (Array.isArray(x) && depth < 4) return (x as unknown[]).map((v): SummaryShape => shapeOf(v, depth + 1));
  return '?';
}

function inputShape(inputs: unknown[]): SummaryShape {
  return inputs.length === 1 ? shapeOf(inputs[0]) : shapeOf(inputs);
}

/** Run the example input through `module` (eval mode, inside `tf.tidy`) and record each layer's first in/out shapes. */
function captureShapes(module: LightningModule, layers: Array<[string, Module]>): Map<Module, { in: SummaryShape; out: SummaryShape }> {
  const shapes = new Map<Module, { in: SummaryShape; out: SummaryShape }>();
  const example = module.exampleInputArray;
  if (example === undefined) return shapes;
  const removers = [module, ...layers.map(([, m]) => m)].map((m) =>
    m.registerForwardHook((mod, inputs, output) => {
      if (!shapes.has(mod)) shapes.set(mod, { in: inputShape(inputs), out: shapeOf(output) });
    }),
  );
  const modes = module.modules().map((m) => [m, m.training] as const);
  module.eval();
  try {
    tf.tidy(() => {
      const args = Array.isArray(example) ? example : [example];
      module.call(...args);
    });
  } finally {
    for (const [m, training] of modes) m.training = training;
    for (const remove of removers) remove();
  }
  return shapes;
}

/**
 * Summarize `module` down to `maxDepth` levels of submodules (-1: all, 0: totals only). When the module has an
 * `exampleInputArray`, one forward pass records each layer's input and output shapes.
 */
export function summarize(module: LightningModule, maxDepth = 1): ModelSummaryData {
  const all = module.namedModules().filter(([name]) => name !== '');
  const layers = all.filter(([name]) => maxDepth < 0 || name.split('.').length <= maxDepth);
  const hasShapes = module.exampleInputArray !== undefined;
  const shapes = hasShapes ? captureShapes(module, layers) : new Map<Module, { in: SummaryShape; out: SummaryShape }>();
  const rows = layers.map(([name, m]): LayerSummary => {
    const row: LayerSummary = { name, type: m.constructor.name, params: m.numParameters(), mode: m.training ? 'train' : 'eval' };
    if (hasShapes) {
      const s = shapes.get(m);
      row.inSizes = s?.in ?? '?';
      row.outSizes = s?.out ?? '?';
    }
    return row;
  });
  const totalParams = module.numParameters();
  const trainableParams = module.numParameters({ trainableOnly: true });
  const modules = module.modules();
  const inTrain = modules.filter((m) => m.training).length;
  return {
    layers: rows,
    trainableParams,
    nonTrainableParams: totalParams - trainableParams,
    totalParams,
    modelSizeMb: (totalParams * 4) / 1e6,
    modulesInTrainMode: inTrain,
    modulesInEvalMode: modules.length - inTrain,
    hasShapes,
  };
}

/** `66`, `1.2 K`, `3.4 M`, `1.0 B` (Lightning's human-readable counts). */
export function formatCount(n: number): string {
  if (n < 1000) return String(n);
  const units = [['K', 1e3], ['M', 1e6], ['B', 1e9], ['T', 1e12]] as const;
  let chosen: readonly [string, number] = units[0];
  for (const u of units) if (n >= u[1]) chosen = u;
  return `${(n / chosen[1]).toFixed(1)} ${chosen[0]}`;
}

function formatShape(s: SummaryShape | undefined): string {
  if (s === undefined || s === '?') return '?';
  return JSON.stringify(s).replace(/,/g, ', ');
}

/** The summary as Lightning prints it: a table of layers, then the totals. */
export function formatSummaryTable(data: ModelSummaryData): string {
  const header = ['', 'Name', 'Type', 'Params', 'Mode', ...(data.hasShapes ? ['In sizes', 'Out sizes'] : [])];
  const rows = data.layers.map((l, i) => [
    String(i), l.name, l.type, formatCount(l.params), l.mode, ...(data.hasShapes ? [formatShape(l.inSizes), formatShape(l.outSizes)] : []),
  ]);
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? '').length)));
  const line = (cells: string[]): string => cells.map((cell, c) => cell.padEnd(widths[c] ?? 0)).join(' | ').trimEnd();
  const rule = '-'.repeat(Math.max(...[header, ...rows].map((r) => line(r).length)));
  const totals = [
    [formatCount(data.trainableParams), 'Trainable params'],
    [formatCount(data.nonTrainableParams), 'Non-trainable params'],
    [formatCount(data.totalParams), 'Total params'],
    [data.modelSizeMb.toFixed(3), 'Total estimated model params size (MB)'],
    [String(data.modulesInTrainMode), 'Modules in train mode'],
    [String(data.modulesInEvalMode), 'Modules in eval mode'],
  ].map(([v, label]) => `${(v ?? '').padEnd(10)}${label ?? ''}`);
  const table = data.layers.length > 0 ? [line(header), rule, ...rows.map(line), rule] : [];
  return [...table, ...totals].join('\n');
}
