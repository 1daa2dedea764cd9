/** Turning zod issues into `ConfigError`s that name the dotted config path, the received value and a fix. */
import type { z } from 'zod';
import { describeValue } from '../errors.js';
import { ConfigError } from './errors.js';
import type { ConfigIssue } from './errors.js';
import { LightningConfig, knownKeysAt } from './schema.js';
import { closestMatches, didYouMean } from './suggest.js';

type PathKey = PropertyKey;

/** Where each dotted path's value came from (a file, `command line`, `defaults`). */
export type ConfigSources = ReadonlyMap<string, string>;

function dotted(path: readonly PathKey[]): string {
  return path.map(String).join('.');
}

function valueAt(root: unknown, path: readonly PathKey[]): unknown {
  let node = root;
  for (const key of path) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<PropertyKey, unknown>)[key];
  }
  return node;
}

/** The source of `path`: the value set there, or the nearest ancestor set as a whole. */
function sourceOf(sources: ConfigSources, path: string): string | undefined {
  for (let p = path; p !== ''; p = p.includes('.') ? p.slice(0, p.lastIndexOf('.')) : '') {
    const source = sources.get(p);
    if (source !== undefined) return source;
  }
  for (const [key, source] of sources) if (key.startsWith(`${path}.`)) return source;
  return undefined;
}

const TYPE_NAMES: Record<string, string> = {
  int: 'an integer',
  number: 'a number',
  string: 'a string',
  boolean: 'true or false',
  object: 'a mapping',
  array: 'a list',
  record: 'a mapping',
};

function setHint(path: string, what: string): string {
  return `Set ${path} to ${what} in the config file, or pass --${path} <value>.`;
}

/** The most specific issue under a union: the branch that got furthest into the value. */
function deepestUnionIssue(issue: z.core.$ZodIssueInvalidUnion): z.core.$ZodIssue | undefined {
  let best: z.core.$ZodIssue | undefined;
  for (const branch of issue.errors) {
    for (const inner of branch) {
      if (inner.path.length > 0 && (best === undefined || inner.path.length > best.path.length)) best = inner;
    }
  }
  return best;
}

/** What `convertIssue` needs besides the issue: the validated value, sources, and the keys known at a path. */
interface IssueContext {
  readonly raw: unknown;
  readonly sources: ConfigSources;
  /** Dotted prefix of `raw` in the whole config (`model.initArgs` for a class's initArgs; empty for the config). */
  readonly prefix: readonly PathKey[];
  readonly keysAt: (path: ReadonlyArray<string | number>) => readonly string[] | undefined;
}

function convertIssue(issue: z.core.$ZodIssue, context: IssueContext, base: readonly PathKey[] = []): ConfigIssue[] {
  const { raw, sources } = context;
  const relative = [...base, ...issue.path];
  const pathKeys = [...context.prefix, ...relative];
  const path = dotted(pathKeys);
  const received = valueAt(raw, relative);
  const make = (at: string, message: string, hint: string | undefined): ConfigIssue => ({ path: at, message, hint, source: sourceOf(sources, at) });
  switch (issue.code) {
    case 'unrecognized_keys': {
      const known = context.keysAt(relative.map((k) => (typeof k === 'string' && /^\d+$/.test(k) ? Number(k) : k)).filter((k): k is string | number => typeof k !== 'symbol')) ?? [];
      return issue.keys.map((key) => {
        const at = path === '' ? key : `${path}.${key}`;
        const near = closestMatches(key, known);
        const where = path === '' ? 'a config' : path;
        const hint = near.length > 0
          ? `Did you mean ${near.map((n) => `"${path === '' ? n : `${path}.${n}`}"`).join(' or ')}?`
          : `Remove it; the keys of ${where} are: ${known.join(', ')}.`;
        return make(at, `unknown key "${key}"`, hint);
      });
    }
    case 'invalid_type': {
      const expected = TYPE_NAMES[issue.expected] ?? issue.expected;
      if (received === undefined) return [make(path, `missing (expected ${expected})`, setHint(path, expected))];
      const custom = issue.message.startsWith('Invalid input') ? undefined : issue.message;
      return [make(path, `${custom ?? `expected ${expected}`}, received ${describeValue(received)}`, setHint(path, expected))];
    }
    case 'invalid_value': {
      const values = issue.values.map((v) => JSON.stringify(v));
      const near = typeof received === 'string' ? didYouMean(received, issue.values.map(String)) : undefined;
      return [make(path, `expected one of ${values.join(', ')}, received ${describeValue(received)}`, near ?? setHint(path, `one of ${values.join(', ')}`))];
    }
    case 'too_small':
    case 'too_big': {
      const bound = issue.code === 'too_small' ? issue.minimum : issue.maximum;
      const op = issue.code === 'too_small' ? (issue.inclusive === false ? '>' : '>=') : issue.inclusive === false ? '<' : '<=';
      return [make(path, `expected a value ${op} ${String(bound)}, received ${describeValue(received)}`, setHint(path, `a value ${op} ${String(bound)}`))];
    }
    case 'invalid_union': {
      const deepest = deepestUnionIssue(issue);
      if (deepest !== undefined && typeof received === 'object' && received !== null) return convertIssue(deepest, context, relative);
      return [make(path, `${issue.message}, received ${describeValue(received)}`, `Fix ${path} in the config file or with --${path} <value>.`)];
    }
    default:
      return [make(path, `${issue.message} (received ${describeValue(received)})`, `Fix ${path} in the config file or with --${path} <value>.`)];
  }
}

/** Validate a merged raw config and fill in the defaults; throws `ConfigError` listing every problem. */
export function validateConfig(raw: unknown, sources: ConfigSources = new Map()): LightningConfig {
  const result = LightningConfig.safeParse(raw);
  if (result.success) return result.data;
  const context: IssueContext = { raw, sources, prefix: [], keysAt: knownKeysAt };
  throw new ConfigError(result.error.issues.flatMap((issue) => convertIssue(issue, context)));
}

/** A zod schema a class may declare as `static initArgsSchema` to have its initArgs validated like the config. */
interface InitArgsSchema {
  safeParse(value: unknown): { success: true; data: unknown } | { success: false; error: { issues: z.core.$ZodIssue[] } };
  readonly shape?: Record<string, unknown>;
}

function initArgsSchemaOf(cls: unknown): InitArgsSchema | undefined {
  const schema = (cls as { initArgsSchema?: unknown }).initArgsSchema;
  return typeof schema === 'object' && schema !== null && typeof (schema as { safeParse?: unknown }).safeParse === 'function' ? (schema as InitArgsSchema) : undefined;
}

/**
 * Validate `initArgs` with the class's `static initArgsSchema` (a zod schema), when it declares one: unknown keys
 * and wrong types then fail with the dotted path (`model.initArgs.lrr`) and a "did you mean", like trainer keys.
 * Returns the parsed initArgs (schema defaults applied), or the initArgs unchanged when the class has no schema.
 */
export function validateInitArgs(cls: unknown, initArgs: Record<string, unknown> | undefined, path: string, sources: ConfigSources = new Map()): Record<string, unknown> | undefined {
  const schema = initArgsSchemaOf(cls);
  if (schema === undefined) return initArgs;
  const result = schema.safeParse(initArgs ?? {});
  if (result.success) return initArgs === undefined ? undefined : (result.data as Record<string, unknown>);
  const keys = schema.shape === undefined ? undefined : Object.keys(schema.shape);
  const context: IssueContext = { raw: initArgs ?? {}, sources, prefix: [...path.split('.'), 'initArgs'], keysAt: (p) => (p.length === 0 ? keys : undefined) };
  throw new ConfigError(result.error.issues.flatMap((issue) => convertIssue(issue, context)));
}
