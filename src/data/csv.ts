/** `CsvDataset`: tabular data from CSV text with typed columns and an optional target column. */
import { CorruptFileError, MisconfigurationError } from '../errors.js';
import type { MapDataset, ShapedArray } from './dataset.js';
import type { WorkerDatasetSpec } from './worker-spec.js';

/** How a column is read: a float, an integer, or a category (strings mapped to 0, 1, ... in order of appearance). */
export type CsvColumnType = 'float32' | 'int32' | 'category';

/** Options of `CsvDataset`. */
export interface CsvDatasetOptions {
  /** Name of the target column; samples are `[features, target]`. Default: none (samples are `features`). */
  target?: string;
  /** Feature columns, in order. Default: every column except the target. */
  features?: string[];
  /** Column types. Default: inferred — `int32` if every value is an integer, `float32` if numeric, else `category`. */
  types?: Record<string, CsvColumnType>;
  /** Field separator. Default: ",". */
  delimiter?: string;
  /** Where the text came from, for error messages. Default: "CSV". */
  source?: string;
}

/** Split CSV text into rows of fields (RFC 4180 quoting, LF or CRLF line ends, blank lines skipped). */
export function parseCsv(text: string, delimiter = ','): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"' && field === '') quoted = true;
    else if (ch === delimiter) {
      row.push(field);
      field = '';
    }
    else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      if (row.length > 1 || row[0] !== '') rows.push(row);
      row = [];
      field = '';
    } else field += ch;
  }
  row.push(field);
  if (row.length > 1 || row[0] !== '') rows.push(row);
  return rows;
}

function inferType(values: string[]): CsvColumnType {
  const nums = values.map((v) => (v.trim() === '' ? NaN : Number(v)));
  if (nums.every((n) => Number.isFinite(n))) return nums.every((n) => Number.isInteger(n)) ? 'int32' : 'float32';
  return 'category';
}

/**
 * Rows of a CSV file (header line first) as samples: `features` is a float32 `{ data, shape: [F] }` array of the
 * feature columns (categories as their index); `target` is a 0-d `{ data, shape: [] }` array of the target column's
 * type (Int32Array or Float32Array), so a batch of targets keeps that dtype even when float values look integral.
 */
export class CsvDataset implements MapDataset<ShapedArray | [ShapedArray, ShapedArray]> {
  readonly columns: string[];
  readonly featureNames: string[];
  readonly targetName: string | undefined;
  readonly types: Readonly<Record<string, CsvColumnType>>;
  /** The category names of each category column, by index. */
  readonly categories: Readonly<Record<string, string[]>>;
  private readonly featureData: Float32Array;
  private readonly targetData: Float32Array | Int32Array | undefined;
  /** How to rebuild this dataset in a worker (set by `loadCsvDataset`). */
  workerSpec?: () => WorkerDatasetSpec;

  constructor(text: string, options: CsvDatasetOptions = {}) {
    const source = options.source ?? 'CSV';
    const [header, ...rows] = parseCsv(text, options.delimiter ?? ',');
    if (header === undefined) throw new CorruptFileError(`${source} is empty.`, 'The first line must name the columns.');
    this.columns = header.map((h) => h.trim());
    rows.forEach((r, k) => {
      if (r.length !== this.columns.length) {
        throw new CorruptFileError(`${source}, line ${k + 2}: ${r.length} fields, but the header has ${this.columns.length}.`, 'Check for a missing or extra delimiter on that line.');
      }
    });
    const col = (name: string): number => {
      const j = this.columns.indexOf(name);
      if (j < 0) throw new MisconfigurationError(`${source} has no column "${name}".`, `Columns: ${this.columns.join(', ')}.`);
      return j;
    };
    this.targetName = options.target;
    const targetIdx = options.target !== undefined ? col(options.target) : -1;
    this.featureNames = options.features ?? this.columns.filter((_, j) => j !== targetIdx);
    const types: Record<string, CsvColumnType> = {};
    const categories: Record<string, string[]> = {};
    const parsed = new Map<string, number[]>();
    for (const name of [...this.featureNames, ...(options.target !== undefined ? [options.target] : [])]) {
      const j = col(name);
      const raw = rows.map((r) => (r[j] as string).trim());
      const type = options.types?.[name] ?? inferType(raw);
      types[name] = type;
      parsed.set(name, this.convert(raw, type, name, source, categories));
    }
    this.types = Object.freeze(types);
    this.categories = Object.freeze(categories);
    const n = rows.length;
    const f = this.featureNames.length;
    this.featureData = new Float32Array(n * f);
    this.featureNames.forEach((name, k) => parsed.get(name)?.forEach((v, i) => (this.featureData[i * f + k] = v)));
    if (options.target !== undefined) {
      const values = parsed.get(options.target) ?? [];
      this.targetData = types[options.target] === 'float32' ? Float32Array.from(values) : Int32Array.from(values);
    }
    this.length = n;
  }

  readonly length: number;

  private convert(raw: string[], type: CsvColumnType, name: string, source: string, categories: Record<string, string[]>): number[] {
    if (type === 'category') {
      const names: string[] = [];
      const index = new Map<string, number>();
      const out = raw.map((v) => {
        if (!index.has(v)) index.set(v, names.push(v) - 1);
        return index.get(v) as number;
      });
      categories[name] = names;
      return out;
    }
    return raw.map((v, i) => {
      const x = v === '' ? NaN : Number(v);
      if (!Number.isFinite(x) || (type === 'int32' && !Number.isInteger(x))) {
        throw new CorruptFileError(
          `${source}, line ${i + 2}, column "${name}": ${JSON.stringify(v)} is not ${type === 'int32' ? 'an integer' : 'a number'}.`,
          `Fix the value, or declare the column as types: { "${name}": "${type === 'int32' ? 'float32' : 'category'}" }.`,
        );
      }
      return x;
    });
  }

  get(index: number): ShapedArray | [ShapedArray, ShapedArray] {
    if (!Number.isInteger(index) || index < 0 || index >= this.length) throw new RangeError(`CsvDataset: index ${index} is out of range for ${this.length} rows.`);
    const f = this.featureNames.length;
    const features = { data: this.featureData.slice(index * f, (index + 1) * f), shape: [f] };
    return this.targetData === undefined ? features : [features, { data: this.targetData.slice(index, index + 1), shape: [] }];
  }
}
