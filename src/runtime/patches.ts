/**
 * lightning-ts's kernel and gradient fixes for TensorFlow.js, registered through the public
 * `tf.registerGradient` / `tf.registerKernel` APIs when `runtime/tf.ts` is imported (it imports this file):
 * a transpose-free `BatchMatMul` gradient (≈3× faster training steps on wasm), `Conv2D`/conv2dTranspose
 * gradients that need no `Conv2DBackpropFilter` kernel (missing on wasm) and support dilation, a `MaxPool`
 * gradient for wasm (whose `MaxPoolGrad` kernel drops windows of negative values), `Unpack`/`SplitV`
 * gradients that accept a single output, an
 * `UnsortedSegmentSum` kernel for wasm (embedding gradients), and a wasm `BatchMatMul` that transposes
 * explicitly instead of using the kernel's slow transpose flags. This file imports tfjs-core directly because
 * `runtime/tf.ts` imports it (going through tf.ts would be an import cycle).
 */
import '@tensorflow/tfjs-layers';
import * as tf from '@tensorflow/tfjs-core';
import type { GradConfig } from '@tensorflow/tfjs-core';
import { batchMatMulGrad } from './patches/matmul-grad.js';
import { makeConv2dGrad, makeConv2dTransposeGrad } from './patches/conv-grad.js';
import { makeMaxPoolGrad } from './patches/maxpool-grad.js';
import { splitVGrad, unpackGrad } from './patches/multi-output-grad.js';
import { unsortedSegmentSumKernel } from './patches/segment-sum.js';
import { wasmMatMulInstaller, wrapWasmMatMul } from './patches/wasm-matmul-kernel.js';

/** Backends that get our `UnsortedSegmentSum` kernel (they have none of their own). */
const SEGMENT_SUM_BACKENDS = ['wasm'];

function stockGradient(kernelName: string): GradConfig | undefined {
  return tf.getGradient(kernelName) ?? undefined;
}

/** TF.js's own gradients as they were before the patches, for comparison and benchmarks. */
export const stockGradients: Readonly<Record<'BatchMatMul' | 'Conv2D' | 'Conv2DBackpropInput' | 'MaxPool', GradConfig | undefined>> =
  Object.freeze({
    BatchMatMul: stockGradient('BatchMatMul'),
    Conv2D: stockGradient('Conv2D'),
    Conv2DBackpropInput: stockGradient('Conv2DBackpropInput'),
    MaxPool: stockGradient('MaxPool'),
  });

/** The gradients lightning-ts registers in place of the stock ones. */
export const patchedGradients: readonly GradConfig[] = [
  batchMatMulGrad,
  makeConv2dGrad(stockGradients.Conv2D),
  makeConv2dTransposeGrad(stockGradients.Conv2DBackpropInput),
  makeMaxPoolGrad(stockGradients.MaxPool),
  unpackGrad,
  splitVGrad,
];

let applied = false;

/** Register the patched gradients and missing kernels (idempotent; runs when `runtime/tf.ts` is imported). */
export function applyRuntimePatches(): void {
  if (applied) return;
  applied = true;
  for (const config of patchedGradients) tf.registerGradient(config);
  for (const backend of SEGMENT_SUM_BACKENDS) {
    if (tf.getKernel('UnsortedSegmentSum', backend) === undefined) tf.registerKernel(unsortedSegmentSumKernel(backend));
  }
  // Wrap wasm's BatchMatMul now if its package is already loaded, else when the wasm backend initialises.
  wrapWasmMatMul();
  if (tf.getKernel(wasmMatMulInstaller.kernelName, 'wasm') === undefined) tf.registerKernel(wasmMatMulInstaller);
}

applyRuntimePatches();
