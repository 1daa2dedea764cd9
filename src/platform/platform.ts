/**
 * The Node platform (the default). Browser bundles get `platform.browser.ts` instead (package.json's `browser` field
 * maps this file to it; `scripts/build-browser.mjs` does the same for the sources). Heavy or optional pieces
 * (cli-progress, the dashboard server, worker threads, the inspector) load on first use.
 */
import { nodeDeflate, nodeHostname, nodeLogFileSystem, nodePid } from '../loggers/node-fs.js';
import { installNodeSignalHandlers } from './node-signals.js';
import type { Platform } from './types.js';

/** Node's implementation of the platform services. */
export const platform: Platform = {
  name: 'node',
  async createCheckpointIO() {
    const { NodeCheckpointIO } = await import('../checkpoint/node-checkpoint-io.js');
    return new NodeCheckpointIO();
  },
  logFileSystem: nodeLogFileSystem,
  deflate: nodeDeflate,
  hostname: nodeHostname,
  pid: nodePid,
  async createProgressRenderer(plainIntervalMs) {
    const { nodeProgressRenderer } = await import('../utilities/node-terminal.js');
    return nodeProgressRenderer(plainIntervalMs);
  },
  installSignalHandlers: installNodeSignalHandlers,
  async startDashboard(rootDir, options) {
    const { startTrainerDashboard } = await import('../dashboard/index.js');
    await startTrainerDashboard(rootDir, {
      ...(options.port === undefined ? {} : { port: options.port }),
      ...(options.host === undefined ? {} : { host: options.host }),
    });
  },
  async workerPoolFactory() {
    return (await import('../data/node/worker-pool.js')).createNodeWorkerPool;
  },
  async createCpuProfiler() {
    return new (await import('../profilers/node-cpu-profiler.js')).NodeCpuProfiler();
  },
};
