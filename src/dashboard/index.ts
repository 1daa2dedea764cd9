/** Public surface of the dashboard: the server, its CLI entry and the run data it serves. */
export { startDashboard } from './server.js';
export type { DashboardOptions, DashboardServer } from './server.js';
export { launchDashboard, runDashboardCli, startTrainerDashboard } from './cli.js';
export type { DashboardIo } from './cli.js';
export { RunStore, findRunDirs } from './run-store.js';
export type { RunStoreOptions, StoreUpdate } from './run-store.js';
export type { BestCheckpoint, PointsEvent, ResetEvent, RunData, RunSource, RunStatus, RunSummary, SeriesAppend, SeriesPoints } from './run-types.js';
