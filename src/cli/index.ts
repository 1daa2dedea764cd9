/** `cli`: LightningCLI, the `lightning-ts fit|validate|test|predict` command line and its config schemas. */
export { LightningCLI, runCli } from './lightning-cli.js';
export type { LightningCLIOptions, RunCliOptions } from './lightning-cli.js';
export { ConfigError } from './errors.js';
export type { ConfigIssue } from './errors.js';
export { SaveConfigCallback, formatConfig } from './save-config.js';
export type { SaveConfigOptions, ConfigWriter } from './save-config.js';
export { LightningConfig, TrainerConfig, ClassSpec, ComponentSpec, LrSchedulerSpec, TRAINER_DEFAULTS } from './schema.js';
export { validateConfig, validateInitArgs } from './validate.js';
export { parseArgs, parseValue } from './args.js';
export type { ConfigStep, ParsedArgs } from './args.js';
export { buildRawConfig } from './merge.js';
export type { RawConfig, ConfigObject } from './merge.js';
export { loadClass, parseClassPath } from './class-loader.js';
export type { AnyClass, ClassRef } from './class-loader.js';
export { SUBCOMMANDS } from './program.js';
