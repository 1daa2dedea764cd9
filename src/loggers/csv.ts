/** Minimal RFC 4180 CSV formatting and parsing for metrics.csv (numbers written the way Python's csv module reads them). */
import { readTextFile, type LogFileSystem } from './file-system.js';

/** Compare strings by Unicode code point, the order Python's `sorted` gives (Lightning sorts CSV columns this way). */
export function compareCodePoints(a: string, b: string): number {
  const ai = a[Symbol.iterator]();
  const bi = b[Symbol.iterator]();
  for (;;) {
    const x = ai.next();
    const y = bi.next();
    if (x.done === true || y.done === true) return (x.done === true ? 0 : 1) - (y.done === true ? 0 : 1);
    const d = (x.value.codePointAt(0) ?? 0) - (y.value.codePointAt(0) ?? 0);
    if (d !== 0) return d;
  }
}

/** Format a number for CSV: NaN/Infinity as Python writes them (`nan`, `inf`, `-inf`), so pandas reads them back. */
export function formatCsvNumber(value: number): string {
  if (Number.isNaN(value)) return 'nan';
  if (value === Infinity) return 'inf';
  if (value === -Infinity) return '-inf';
  return String(value);
}

/** Quote a field when it holds a comma, quote or line break. */
export function quoteCsvField(field: string): string {
  return /[",\r\n]/.test(field) ? `"${field.replace(/"/g, '""')}"` : field;
}

/** One CSV line (with `\r\n`, like Python's csv writer). */
export function formatCsvLine(fields: string[]): string {
  return `${fields.map(quoteCsvField).join(',')}\r\n`;
}

/** Split CSV text into rows of raw fields (handles quoted fields with commas, quotes and newlines). */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

function parseCsvNumber(field: string): number {
  if (field === 'nan') return NaN;
  if (field === 'inf') return Infinity;
  if (field === '-inf') return -Infinity;
  return Number(field);
}

/** A metrics.csv read back: its columns and one object per row (empty cells are left out). */
export interface CsvMetrics {
  columns: string[];
  rows: Array<Record<string, number>>;
}

/** Read a metrics.csv written by `CSVLogger`. */
export function readCsvMetrics(fs: LogFileSystem, path: string): CsvMetrics {
  const [columns = [], ...lines] = parseCsv(readTextFile(fs, path));
  const rows = lines.map((fields) => {
    const row: Record<string, number> = {};
    columns.forEach((col, i) => {
      const f = fields[i];
      if (f !== undefined && f !== '') row[col] = parseCsvNumber(f);
    });
    return row;
  });
  return { columns, rows };
}
