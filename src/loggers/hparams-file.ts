/** hparams.yaml writing/reading and the value clean-up loggers apply to hyperparameters. */
import { parse, stringify } from 'yaml';
import { readTextFile, type LogFileSystem } from './file-system.js';

/** Turn a value into plain data YAML/JSON can hold (Dates → ISO strings, Map/Set → object/array, `toJSON` honoured, other instances and functions → `<Name>`). */
export function toPlainData(value: unknown): unknown {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  if (value === undefined) return null;
  if (Array.isArray(value)) return value.map(toPlainData);
  if (typeof value === 'object') {
    const proto: unknown = Object.getPrototypeOf(value);
    if (proto === Object.prototype || proto === null) {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toPlainData(v)]));
    }
    if (value instanceof Date) return value.toISOString();
    if (value instanceof Map) return toPlainData(Object.fromEntries(value));
    if (value instanceof Set) return toPlainData([...value]);
    const toJSON = (value as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === 'function') return toPlainData((toJSON as () => unknown).call(value));
    return `<${(value as { constructor?: { name?: string } }).constructor?.name ?? 'object'}>`;
  }
  if (typeof value === 'function') return `<function ${value.name || '(anonymous)'}>`;
  return typeof value === 'symbol' ? value.toString() : null;
}

/** Flatten nested plain objects into `a/b` keys with scalar values (strings for arrays and other values). */
export function flattenHparams(params: Record<string, unknown>, separator = '/'): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  const visit = (prefix: string, value: unknown): void => {
    const plain = toPlainData(value);
    if (plain !== null && typeof plain === 'object' && !Array.isArray(plain)) {
      for (const [k, v] of Object.entries(plain)) visit(prefix === '' ? k : `${prefix}${separator}${k}`, v);
    } else if (typeof plain === 'string' || typeof plain === 'number' || typeof plain === 'boolean') {
      out[prefix] = plain;
    } else {
      out[prefix] = JSON.stringify(plain);
    }
  };
  for (const [k, v] of Object.entries(params)) visit(k, v);
  return out;
}

/** Write hyperparameters as YAML (Lightning's `save_hparams_to_yaml`). */
export function saveHparamsToYaml(fs: LogFileSystem, path: string, params: Record<string, unknown>): void {
  fs.writeFile(path, stringify(toPlainData(params)));
}

/** Read hyperparameters written by `saveHparamsToYaml` (Lightning's `load_hparams_from_yaml`). */
export function loadHparamsFromYaml(fs: LogFileSystem, path: string): Record<string, unknown> {
  const data: unknown = parse(readTextFile(fs, path));
  return data !== null && typeof data === 'object' && !Array.isArray(data) ? (data as Record<string, unknown>) : {};
}
