/**
 * Loading the classes a config names: `"./file.ts#Export"` (TypeScript loads directly when the process runs
 * under tsx, as the `lightning-ts` bin does; compiled `.js` always), `"lightning-ts#Name"` or a bare `"Name"`
 * (the public API, searching its `optim`, `nn`, `data` and `metrics` namespaces too) and `"package#Export"`.
 */
import { existsSync, readdirSync } from 'node:fs';
import { basename, dirname, isAbsolute, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ConfigError } from './errors.js';
import { closestMatches, didYouMean } from './suggest.js';

/** Any class (constructor); configs construct with one options object. */
export type AnyClass = abstract new (...args: never[]) => unknown;

/** Where a classPath points. */
export interface ClassRef {
  readonly kind: 'file' | 'api' | 'package';
  /** Absolute file path, package specifier, or `lightning-ts`. */
  readonly module: string;
  /** Export name; dots reach into namespaces (`optim.Adam`). */
  readonly exportName: string;
}

const API_NAME = 'lightning-ts';
const API_NAMESPACES = ['optim', 'nn', 'data', 'metrics'] as const;
const SOURCE_EXTENSIONS = /\.(ts|mts|cts|js|mjs|cjs)$/;

/** Split a classPath into module and export (`"/abs/model.ts#LitModel"`, `"lightning-ts#optim.Adam"`, `"Adam"`). */
export function parseClassPath(classPath: string, path: string): ClassRef {
  const hash = classPath.lastIndexOf('#');
  const isFile = isAbsolute(classPath) || classPath.startsWith('file:') || classPath.startsWith('./') || classPath.startsWith('../');
  if (hash < 0) {
    if (isFile || classPath.includes('/')) {
      throw ConfigError.at(path, `classPath "${classPath}" does not name an export`, `Add the class's export name after "#", e.g. "${classPath}#MyModel".`);
    }
    return { kind: 'api', module: API_NAME, exportName: classPath };
  }
  const module = classPath.slice(0, hash);
  const exportName = classPath.slice(hash + 1);
  if (exportName === '') throw ConfigError.at(path, `classPath "${classPath}" has an empty export name`, `Write it as "${module}#ExportName".`);
  if (module === API_NAME) return { kind: 'api', module, exportName };
  return { kind: isFile ? 'file' : 'package', module: module.startsWith('file:') ? new URL(module).pathname : module, exportName };
}

/** A path as the user would write it from the working directory. */
export function displayPath(file: string): string {
  const rel = relative(process.cwd(), file);
  return rel.startsWith('..') || isAbsolute(rel) ? file : `./${rel}`;
}

function missingFileError(ref: ClassRef, path: string, classPath: string): ConfigError {
  const dir = dirname(ref.module);
  const siblings = existsSync(dir) ? readdirSync(dir).filter((name) => SOURCE_EXTENSIONS.test(name)) : [];
  const near = closestMatches(basename(ref.module), siblings).map((name) => `"${displayPath(`${dir}/${name}`)}#${ref.exportName}"`);
  const hint = near.length > 0 ? `Did you mean ${near.join(' or ')}?` : `Check the path; relative classPaths are resolved from the directory of the config file that names them (${displayPath(dir)}).`;
  return ConfigError.at(path, `cannot load "${displayPath(classPath)}": file ${ref.module} does not exist`, hint);
}

let apiModule: Promise<Record<string, unknown>> | undefined;

/** The public API (`src/index.ts`, or `dist/index.js` when compiled), imported on first use to avoid a cycle. */
function loadApi(): Promise<Record<string, unknown>> {
  apiModule ??= import(new URL('../index.js', import.meta.url).href) as Promise<Record<string, unknown>>;
  return apiModule;
}

async function importModule(ref: ClassRef, path: string, classPath: string): Promise<Record<string, unknown>> {
  if (ref.kind === 'api') return await loadApi();
  if (ref.kind === 'file' && !existsSync(ref.module)) throw missingFileError(ref, path, classPath);
  const specifier = ref.kind === 'file' ? pathToFileURL(ref.module).href : ref.module;
  try {
    return (await import(specifier)) as Record<string, unknown>;
  } catch (error) {
    const tsHint = /\.[mc]?ts$/.test(ref.module) ? ' TypeScript files need the process to run under tsx (the lightning-ts bin does; otherwise use node --import tsx).' : '';
    throw ConfigError.at(path, `importing "${displayPath(ref.module)}" failed: ${(error as Error).message}`, `Fix the error in that module.${tsHint}`, undefined, { cause: error });
  }
}

function lookup(namespace: Record<string, unknown>, dotted: string): unknown {
  let node: unknown = namespace;
  for (const part of dotted.split('.')) {
    if ((typeof node !== 'object' && typeof node !== 'function') || node === null) return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  return node;
}

/** Every name a classPath may use in the public API: top-level exports and `namespace.Name`. */
function apiNames(api: Record<string, unknown>): string[] {
  const names = Object.keys(api);
  for (const ns of API_NAMESPACES) {
    const inner = api[ns];
    if (typeof inner === 'object' && inner !== null) names.push(...Object.keys(inner).map((k) => `${ns}.${k}`));
  }
  return names;
}

function findExport(namespace: Record<string, unknown>, ref: ClassRef): unknown {
  const direct = lookup(namespace, ref.exportName);
  if (direct !== undefined || ref.kind !== 'api' || ref.exportName.includes('.')) return direct;
  for (const ns of API_NAMESPACES) {
    const found = lookup(namespace, `${ns}.${ref.exportName}`);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** Load the class a classPath names; `path` is its dotted config path (e.g. `model.classPath`) for errors. */
export async function loadClass(classPath: string, path: string): Promise<AnyClass> {
  const ref = parseClassPath(classPath, path);
  const namespace = await importModule(ref, path, classPath);
  const value = findExport(namespace, ref);
  const where = ref.kind === 'file' ? `"${displayPath(ref.module)}"` : `"${ref.module}"`;
  if (value === undefined) {
    const names = ref.kind === 'api' ? apiNames(namespace) : Object.keys(namespace);
    const classes = names.filter((n) => typeof lookup(namespace, n) === 'function');
    const near = didYouMean(ref.exportName, ref.kind === 'api' ? [...classes, ...classes.map((n) => n.slice(n.indexOf('.') + 1))] : classes);
    const listed = ref.kind === 'api' ? '' : ` Its exports: ${classes.join(', ') || '(none)'}.`;
    throw ConfigError.at(path, `${where} has no export "${ref.exportName}"`, `${near ?? 'Check the export name.'}${listed}`);
  }
  if (typeof value !== 'function') {
    throw ConfigError.at(path, `${where}#${ref.exportName} is not a class (it is ${typeof value})`, 'Point classPath at an exported class.');
  }
  return value as AnyClass;
}

/** `new cls(...args)` for a class loaded from a config, wrapping constructor errors with the config path. */
export function construct(cls: AnyClass, args: readonly unknown[], path: string): unknown {
  try {
    return Reflect.construct(cls, args) as unknown;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw ConfigError.at(path, `new ${cls.name}(...) failed: ${message}`, `Check the initArgs of ${path}.`, undefined, { cause: error });
  }
}
