/**
 * Building the raw config: YAML files and `--key value` overrides merged in order, with the source of every value
 * recorded (for error messages) and file classPaths made absolute against the directory of the file that named
 * them (or the working directory for command-line values).
 */
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { describeValue } from '../errors.js';
import type { ConfigStep } from './args.js';
import { ConfigError } from './errors.js';

/** A plain config mapping. */
export type ConfigObject = Record<string, unknown>;

/** The merged config before validation, with the source of each dotted path. */
export interface RawConfig {
  readonly values: ConfigObject;
  readonly sources: Map<string, string>;
}

/** Whether a value is a plain mapping (not a list, not null). */
export function isPlainObject(value: unknown): value is ConfigObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `./file.ts#Export`-style strings: relative paths with an export name, anywhere in a config. */
const RELATIVE_CLASS_PATH = /^\.\.?\/[^#]*#[A-Za-z_$][\w$.]*$/;

function isRelativeFile(classPath: string): boolean {
  return classPath.startsWith('./') || classPath.startsWith('../');
}

/** Make relative file classPaths in `value` absolute against `baseDir` (returns a copy). */
export function absolutizeClassPaths(value: unknown, baseDir: string, key?: string): unknown {
  if (typeof value === 'string') {
    const isClassPath = (key === 'classPath' && isRelativeFile(value)) || RELATIVE_CLASS_PATH.test(value);
    return isClassPath ? resolve(baseDir, value) : value;
  }
  if (Array.isArray(value)) return value.map((v) => absolutizeClassPaths(v, baseDir));
  if (isPlainObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, absolutizeClassPaths(v, baseDir, k)]));
  return value;
}

/** Merge `layer` into `target` (mappings recursively, everything else replaced), recording sources. */
export function mergeLayer(target: ConfigObject, layer: ConfigObject, source: string, sources: Map<string, string>, prefix = ''): void {
  // A different class keeps nothing of the previous class's initArgs (they belonged to another constructor).
  if (typeof layer.classPath === 'string' && target.classPath !== layer.classPath && 'initArgs' in target) {
    delete target.initArgs;
    const initPath = prefix === '' ? 'initArgs' : `${prefix}.initArgs`;
    for (const known of [...sources.keys()]) if (known === initPath || known.startsWith(`${initPath}.`)) sources.delete(known);
  }
  for (const [key, value] of Object.entries(layer)) {
    const path = prefix === '' ? key : `${prefix}.${key}`;
    const existing = target[key];
    if (isPlainObject(value) && isPlainObject(existing)) {
      mergeLayer(existing, value, source, sources, path);
    } else {
      target[key] = isPlainObject(value) ? structuredClone(value) : value;
      for (const known of [...sources.keys()]) if (known.startsWith(`${path}.`)) sources.delete(known);
      sources.set(path, source);
    }
  }
}

/** The one-key-per-level mapping that `--a.b.c value` stands for (numeric segments index existing lists). */
function layerForKey(target: ConfigObject, key: string, value: unknown): ConfigObject {
  const segments = key.split('.');
  const root: ConfigObject = {};
  let node: ConfigObject = root;
  let existing: unknown = target;
  for (const [i, segment] of segments.entries()) {
    existing = isPlainObject(existing) ? existing[segment] : Array.isArray(existing) ? (existing as unknown[])[Number(segment)] : undefined;
    if (i === segments.length - 1) {
      node[segment] = value;
    } else if (Array.isArray(existing)) {
      // `--trainer.callbacks.0.initArgs.monitor x`: edit a copy of the list in place of the whole list.
      const copy = structuredClone(existing) as unknown[];
      const index = Number(segments[i + 1]);
      if (!Number.isInteger(index) || index < 0 || index >= copy.length) {
        throw ConfigError.at(segments.slice(0, i + 2).join('.'), `no list item ${segments[i + 1]} (the list has ${copy.length})`, `Use an index from 0 to ${copy.length - 1}.`);
      }
      const item = copy[index];
      const rest = segments.slice(i + 2).join('.');
      copy[index] = rest === '' ? value : isPlainObject(item) ? mergedCopy(item, rest, value) : value;
      node[segment] = copy;
      return root;
    } else {
      const child: ConfigObject = {};
      node[segment] = child;
      node = child;
    }
  }
  return root;
}

function mergedCopy(item: ConfigObject, key: string, value: unknown): ConfigObject {
  const copy = structuredClone(item);
  mergeLayer(copy, layerForKey(copy, key, value), '', new Map());
  return copy;
}

const CLASS_SECTIONS = ['model', 'data', 'optimizer', 'lrScheduler'] as const;

/** Expand the classPath shorthand (`model: ./m.ts#Net`) to `{ classPath }` so later keys merge into it. */
export function expandShorthands(layer: ConfigObject): ConfigObject {
  const out: ConfigObject = { ...layer };
  for (const section of CLASS_SECTIONS) if (typeof out[section] === 'string') out[section] = { classPath: out[section] };
  const trainer = out.trainer;
  if (isPlainObject(trainer)) {
    const copy: ConfigObject = { ...trainer };
    if (typeof copy.logger === 'string') copy.logger = { classPath: copy.logger };
    for (const key of ['logger', 'callbacks'] as const) {
      const list = copy[key];
      if (Array.isArray(list)) copy[key] = list.map((item: unknown) => (typeof item === 'string' ? { classPath: item } : item));
    }
    out.trainer = copy;
  }
  return out;
}

/** Read a YAML config file (a mapping; an empty file is `{}`). */
export function readConfigFile(file: string): ConfigObject {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw ConfigError.at('--config', `cannot read config file ${file}: ${(error as Error).message}`, 'Check the path (it is relative to the working directory).', undefined, { cause: error });
  }
  let parsed: unknown;
  try {
    parsed = parseYaml(text);
  } catch (error) {
    throw ConfigError.at('--config', `${file} is not valid YAML: ${(error as Error).message}`, 'Fix the YAML syntax (indent with spaces, "key: value").', undefined, { cause: error });
  }
  if (parsed === null || parsed === undefined) return {};
  if (!isPlainObject(parsed)) throw ConfigError.at('--config', `${file} must hold a mapping of sections, but it holds ${describeValue(parsed)}`, 'Start the file with sections such as "trainer:" and "model:".');
  return parsed;
}

/** Apply layers in order: optional defaults, then every `--config` file and `--key value` of the command line. */
export function buildRawConfig(steps: readonly ConfigStep[], options: { cwd: string; defaults?: ConfigObject; defaultsSource?: string }): RawConfig {
  const values: ConfigObject = {};
  const sources = new Map<string, string>();
  const apply = (layer: ConfigObject, baseDir: string, source: string): void => {
    mergeLayer(values, expandShorthands(absolutizeClassPaths(layer, baseDir) as ConfigObject), source, sources);
  };
  if (options.defaults !== undefined) apply(options.defaults, options.cwd, options.defaultsSource ?? 'defaults');
  for (const step of steps) {
    if (step.kind === 'config') {
      const file = isAbsolute(step.file) ? step.file : resolve(options.cwd, step.file);
      apply(readConfigFile(file), dirname(file), file);
    } else {
      const last = step.key.slice(step.key.lastIndexOf('.') + 1);
      const value = absolutizeClassPaths(step.value, options.cwd, last);
      apply(layerForKey(values, step.key, value), options.cwd, 'command line');
    }
  }
  return { values, sources };
}
