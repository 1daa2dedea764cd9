/** `ConfigError`: a CLI argument or config value that cannot be used, named by its dotted config path. */
import { LightningError } from '../errors.js';

/** One problem in a config: where (`trainer.maxEpochs`), what, and how to fix it. */
export interface ConfigIssue {
  /** Dotted config path, e.g. `trainer.maxEpochs` or `trainer.callbacks.0.classPath`. */
  readonly path: string;
  /** What is wrong, with the received value. */
  readonly message: string;
  /** How to fix it (may include a "did you mean"). */
  readonly hint: string | undefined;
  /** Where the value came from: a config file, `command line` or `defaults`. */
  readonly source: string | undefined;
}

function describeIssue(issue: ConfigIssue): string {
  const from = issue.source !== undefined ? ` (from ${issue.source})` : '';
  return `${issue.path}${from}: ${issue.message}`;
}

/**
 * A config (files, `--key value` overrides, `trainerDefaults`) failed validation or a class could not be loaded.
 * `path` is the dotted config path of the first problem; `issues` lists every problem found.
 */
export class ConfigError extends LightningError {
  /** Dotted config path of the first issue. */
  readonly path: string;
  /** Every problem found, in config order. */
  readonly issues: readonly ConfigIssue[];

  constructor(issues: readonly ConfigIssue[], options?: ErrorOptions) {
    const first = issues[0];
    if (first === undefined) throw new TypeError('ConfigError needs at least one issue.');
    const message = issues.length === 1 ? `Invalid config: ${describeIssue(first)}` : `Invalid config (${issues.length} problems):\n${issues.map((i) => `  - ${describeIssue(i)}`).join('\n')}`;
    const hints = issues.map((i) => (issues.length === 1 ? i.hint : i.hint !== undefined ? `${i.path}: ${i.hint}` : undefined)).filter((h): h is string => h !== undefined);
    super(message, hints.length > 0 ? hints.join('\n  hint: ') : undefined, options);
    this.path = first.path;
    this.issues = issues;
  }

  /** A ConfigError with a single issue. */
  static at(path: string, message: string, hint?: string, source?: string, options?: ErrorOptions): ConfigError {
    return new ConfigError([{ path, message, hint, source }], options);
  }
}
