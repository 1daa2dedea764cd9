/** Reading a `CsvDataset` from a file (Node). */
import { readFile } from 'node:fs/promises';
import { CsvDataset } from '../csv.js';
import type { CsvDatasetOptions } from '../csv.js';

/** Read `path` into a `CsvDataset`; the result can be rebuilt by DataLoader workers. */
export async function loadCsvDataset(path: string, options: CsvDatasetOptions = {}): Promise<CsvDataset> {
  const dataset = new CsvDataset(await readFile(path, 'utf8'), { source: path, ...options });
  const spec = { modulePath: import.meta.url, exportName: 'loadCsvDataset', args: [path, options] };
  dataset.workerSpec = () => spec;
  return dataset;
}
