/** Public surface of the profilers package. */
export { PassThroughProfiler, timeCall } from './profiler.js';
export type { Profiler } from './profiler.js';
export { SimpleProfiler } from './simple-profiler.js';
export type { ActionStats, ProfileWriter, SimpleProfilerOptions } from './simple-profiler.js';
export { AdvancedProfiler } from './advanced-profiler.js';
export type { AdvancedProfilerOptions, CpuProfilerBackend } from './advanced-profiler.js';
