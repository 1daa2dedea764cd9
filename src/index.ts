/** lightning-ts public API for Node: the platform-neutral API plus files, processes, the CLI and the dashboard. */
export * from './api.js';

export * as data from './data/index.js';
export { FashionMNIST, MNIST } from './data/index.js';
export { NodeCheckpointIO, removeStaleTempFiles } from './checkpoint/node-checkpoint-io.js';
export { nodeDeflate, nodeLogFileSystem } from './loggers/node-fs.js';
export { DDPStrategy } from './strategies/ddp.js';
export type { DDPStrategyOptions } from './strategies/ddp.js';
export { MpiCollective } from './strategies/mpi-collective.js';
export type { MpiCollectiveOptions } from './strategies/mpi-collective.js';
export { detectLauncher } from './strategies/launcher.js';
export type { LaunchEnvironment, LauncherKind } from './strategies/launcher.js';

export { LightningCLI, runCli, ConfigError, SaveConfigCallback, formatConfig, validateConfig, validateInitArgs, LightningConfig } from './cli/index.js';
export type { LightningCLIOptions, RunCliOptions, SaveConfigOptions, ConfigWriter, ConfigIssue } from './cli/index.js';
export { startDashboard, launchDashboard, startTrainerDashboard, runDashboardCli, RunStore, findRunDirs } from './dashboard/index.js';
export type { DashboardOptions, DashboardServer, DashboardIo, RunSummary, RunData, RunStatus } from './dashboard/index.js';
