/**
 * Fashion-MNIST and MNIST in a browser: the IDX files fetched from a base URL (e.g. the sample shipped in the
 * repository, `data/fashion-mnist-sample/`, served next to the page) or picked by the user as `File`s. The result is
 * the `MnistDataset` that the Node loaders return, with the same samples.
 */
import { MnistDataset } from '../mnist.js';
import type { ShapedArray } from '../dataset.js';
import { absoluteUrl, browserDatasetSpec } from './browser-spec.js';
import { blobName } from './fetch-bytes.js';
import type { FetchOptions, GunzipOptions } from './fetch-bytes.js';
import { fetchIdx, readIdxBlob } from './idx.js';

/** Options of `fetchFashionMNIST` / `fetchMNIST`. */
export interface FetchMnistOptions<X = ShapedArray> extends FetchOptions, GunzipOptions {
  /**
   * URL of the directory holding the IDX files, e.g. `'data/fashion-mnist-sample/'` (relative URLs resolve against
   * the page). The files are `train-images-idx3-ubyte.gz`, `train-labels-idx1-ubyte.gz` and their `t10k-*` twins.
   */
  baseUrl: string;
  /** The training split (true) or the test split (false), as in the Node loaders. Default: true. */
  train?: boolean;
  /** Whether the file names end in `.gz` (the content is sniffed either way). Default: true. */
  gzipped?: boolean;
  /** Applied to each uint8 `[28, 28]` image. Default: `toTensor()` (float32 `[1, 28, 28]` in [0, 1]). */
  transform?: (image: ShapedArray) => X;
}

/** The two files of a split, as the Node loaders and the official mirrors name them. */
export function mnistFileNames(train: boolean, gzipped = true): { images: string; labels: string } {
  const split = train ? 'train' : 't10k';
  const ext = gzipped ? '.gz' : '';
  return { images: `${split}-images-idx3-ubyte${ext}`, labels: `${split}-labels-idx1-ubyte${ext}` };
}

/** `baseUrl` joined with a file name (a missing trailing slash is added). */
function join(baseUrl: string, name: string): string {
  return baseUrl === '' || baseUrl.endsWith('/') ? `${baseUrl}${name}` : `${baseUrl}/${name}`;
}

/** Per-file progress combined into one callback over both downloads. */
function combinedProgress(options: FetchOptions): [FetchOptions, FetchOptions] {
  const onProgress = options.onProgress;
  if (onProgress === undefined) return [options, options];
  const loaded = [0, 0];
  const totals: Array<number | undefined> = [undefined, undefined];
  const report = (): void => {
    const [a, b] = totals;
    onProgress((loaded[0] ?? 0) + (loaded[1] ?? 0), a === undefined || b === undefined ? undefined : a + b);
  };
  const forFile = (k: number): FetchOptions => ({
    ...options,
    onProgress: (bytes, total) => {
      loaded[k] = bytes;
      totals[k] = total;
      report();
    },
  });
  return [forFile(0), forFile(1)];
}

/**
 * Fetch one split of an MNIST-format dataset from `options.baseUrl`. Without a `transform` or a custom `fetch`, the
 * dataset can be rebuilt in DataLoader Web Workers (each fetches the files again, with default request options).
 */
async function fetchMnistDataset<X>(loader: 'fetchFashionMNIST' | 'fetchMNIST', options: FetchMnistOptions<X>): Promise<MnistDataset<X>> {
  const names = mnistFileNames(options.train ?? true, options.gzipped ?? true);
  const [imagesOptions, labelsOptions] = combinedProgress(options);
  const [images, labels] = await Promise.all([
    fetchIdx(join(options.baseUrl, names.images), imagesOptions),
    fetchIdx(join(options.baseUrl, names.labels), labelsOptions),
  ]);
  const source = options.baseUrl;
  if (options.transform !== undefined) return new MnistDataset<X>(images, labels, { source, transform: options.transform });
  if (options.fetch !== undefined) return new MnistDataset<X>(images, labels, { source });
  const { baseUrl, train, gzipped, maxDecompressedBytes } = options;
  const args: FetchMnistOptions = { baseUrl: absoluteUrl(baseUrl), ...defined({ train, gzipped, maxDecompressedBytes }) };
  return new MnistDataset<X>(images, labels, { source, workerSpec: browserDatasetSpec(loader, [args]) });
}

/** The entries of `o` that are not undefined (for `exactOptionalPropertyTypes`). */
function defined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/**
 * Fashion-MNIST fetched over HTTP: `[image, label]` samples like `FashionMNIST.load` in Node.
 *
 * @example
 * const train = await fetchFashionMNIST({ baseUrl: 'data/fashion-mnist-sample/' });
 * const test = await fetchFashionMNIST({ baseUrl: 'data/fashion-mnist-sample/', train: false });
 */
export function fetchFashionMNIST<X = ShapedArray>(options: FetchMnistOptions<X>): Promise<MnistDataset<X>> {
  return fetchMnistDataset('fetchFashionMNIST', options);
}

/** MNIST digits fetched over HTTP (same files and layout as Fashion-MNIST). */
export function fetchMNIST<X = ShapedArray>(options: FetchMnistOptions<X>): Promise<MnistDataset<X>> {
  return fetchMnistDataset('fetchMNIST', options);
}

/** Options of `readMnistBlobs`. */
export interface ReadMnistBlobsOptions<X = ShapedArray> extends GunzipOptions {
  /** Applied to each uint8 `[28, 28]` image. Default: `toTensor()`. */
  transform?: (image: ShapedArray) => X;
}

/** An MNIST-format dataset from two user-picked files (`*-images-idx3-ubyte[.gz]` and `*-labels-idx1-ubyte[.gz]`); workers can rebuild it. */
export async function readMnistBlobs<X = ShapedArray>(images: Blob, labels: Blob, options: ReadMnistBlobsOptions<X> = {}): Promise<MnistDataset<X>> {
  const gunzip = options.maxDecompressedBytes === undefined ? {} : { maxDecompressedBytes: options.maxDecompressedBytes };
  const [imageArray, labelArray] = await Promise.all([readIdxBlob(images, gunzip), readIdxBlob(labels, gunzip)]);
  const source = `${blobName(images)} + ${blobName(labels)}`;
  if (options.transform !== undefined) return new MnistDataset<X>(imageArray, labelArray, { source, transform: options.transform });
  // Blobs are structured-clonable: workers read the same files.
  return new MnistDataset<X>(imageArray, labelArray, { source, workerSpec: browserDatasetSpec('readMnistBlobs', [images, labels, gunzip]) });
}
