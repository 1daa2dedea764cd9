/**
 * Ordered parsing of a subcommand's arguments: `--config file` (repeatable), dotted overrides
 * (`--trainer.maxEpochs 5`, `--data.batchSize=128`), `--print_config`, `--ckpt_path`, `--seed_everything`.
 * Order matters, as in LightningCLI: a later `--config` overrides an earlier `--key value` and vice versa.
 */
import { parse as parseYaml } from 'yaml';
import { ConfigError } from './errors.js';

/** One step of building the config, in command-line order. */
export type ConfigStep =
  | { readonly kind: 'config'; readonly file: string }
  | { readonly kind: 'set'; readonly key: string; readonly value: unknown };

/** The parsed arguments of one subcommand. */
export interface ParsedArgs {
  readonly steps: readonly ConfigStep[];
  readonly printConfig: boolean;
}

/** Lightning's snake_case top-level names accepted as aliases of ours. */
const TOP_LEVEL_ALIASES: Readonly<Record<string, string>> = {
  lr_scheduler: 'lrScheduler',
  seed_everything: 'seedEverything',
  ckpt_path: 'ckptPath',
};

const PRINT_CONFIG = new Set(['print_config', 'print-config', 'printConfig']);

/** Parse a command-line value as a YAML scalar or flow collection (`5`, `true`, `null`, `[1, 2]`, `{a: 1}`). */
export function parseValue(text: string): unknown {
  try {
    return parseYaml(text) as unknown;
  } catch {
    return text;
  }
}

function normalizeKey(key: string): string {
  const [head = '', ...rest] = key.split('.');
  return [TOP_LEVEL_ALIASES[head] ?? head, ...rest].join('.');
}

function isOption(token: string | undefined): boolean {
  return token !== undefined && (token.startsWith('--') || token === '-c');
}

/** Parse the arguments after the subcommand (the bin's `process.argv.slice(3)`). */
export function parseArgs(tokens: readonly string[]): ParsedArgs {
  const steps: ConfigStep[] = [];
  let printConfig = false;
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i] ?? '';
    if (!isOption(token)) {
      throw ConfigError.at('<arguments>', `unexpected argument "${token}"`, 'Options look like --config cfg.yaml or --trainer.maxEpochs 5 (a value follows its key, or use --key=value).');
    }
    const body = token === '-c' ? 'config' : token.slice(2);
    const eq = body.indexOf('=');
    const name = eq >= 0 ? body.slice(0, eq) : body;
    let valueText: string | undefined = eq >= 0 ? body.slice(eq + 1) : undefined;
    if (PRINT_CONFIG.has(name)) {
      printConfig = true;
      continue;
    }
    if (valueText === undefined && !isOption(tokens[i + 1]) && i + 1 < tokens.length) valueText = tokens[++i];
    if (name === 'config') {
      if (valueText === undefined || valueText === '') throw ConfigError.at('--config', 'missing the config file path', 'Pass --config path/to/config.yaml.');
      steps.push({ kind: 'config', file: valueText });
      continue;
    }
    if (name === '' || name.startsWith('.') || name.endsWith('.') || name.includes('..')) {
      throw ConfigError.at(name, `malformed option "${token}"`, 'Use dotted keys such as --trainer.maxEpochs 5.');
    }
    // A key without a value is a boolean flag (`--trainer.enableProgressBar` sets true).
    steps.push({ kind: 'set', key: normalizeKey(name), value: valueText === undefined ? true : parseValue(valueText) });
  }
  return { steps, printConfig };
}
