/** `nn`: modules, parameters, layers and functional ops with PyTorch's names, shapes and initialisation. */
export { Module } from './module.js';
export type { StateDict, LoadStateDictResult, ForwardHook } from './module.js';
export { Parameter, Buffer } from './parameter.js';
export * as init from './init.js';
export { Linear } from './linear.js';
export type { LinearOptions } from './linear.js';
