/**
 * Loading MNIST and Fashion-MNIST from IDX files on disk. Fashion-MNIST is looked for, in order, in `root`,
 * Debian's `dataset-fashion-mnist` directory, the download cache, a fresh download (when allowed), and the small
 * real sample shipped in the repository (`data/fashion-mnist-sample`, the first 4 000 train / 1 000 test images).
 */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { warn } from '../../utilities/warnings.js';
import { DatasetNotFoundError } from '../errors.js';
import { MnistDataset } from '../mnist.js';
import type { ShapedArray } from '../dataset.js';
import { downloadVerified } from './download.js';
import { readIdxFile } from './idx-file.js';

/** A download mirror: base URL (ending in `/`) and the MD5 of each `.gz` file. */
export interface MnistMirror {
  baseUrl: string;
  md5: Record<string, string>;
}

/** Options of `loadFashionMNIST` / `loadMNIST`. */
export interface MnistLoadOptions<X = ShapedArray> {
  /** The training split (true) or the test split (false). Default: true. */
  train?: boolean;
  /** Directory with the IDX files (`.gz` or raw), looked at first. Default: none. */
  root?: string;
  /** Download missing files (into `root`, else `cacheDir`). Default: false. */
  download?: boolean;
  /** Where downloads are cached. Default: `~/.cache/lightning-ts/<dataset>`. */
  cacheDir?: string;
  /** Download mirror. Default: the official files and checksums (those torchvision uses). */
  mirror?: MnistMirror;
  /** Fall back to the sample shipped in the repository (Fashion-MNIST only). Default: true. */
  sample?: boolean;
  /** System directories searched after `root`. Default: Debian's `/usr/share/datasets/fashion-mnist` (Fashion-MNIST). */
  systemPaths?: string[];
  /** Per-image transform (a function cannot be sent to a worker: use `datasetFromModule` then). Default: `toTensor()`. */
  transform?: (image: ShapedArray) => X;
}

/** The official Fashion-MNIST files (Zalando Research) and their MD5s. */
export const FASHION_MNIST_MIRROR: MnistMirror = {
  baseUrl: 'http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/',
  md5: {
    'train-images-idx3-ubyte.gz': '8d4fb7e6c68d591d4c3dfef9ec88bf0d',
    'train-labels-idx1-ubyte.gz': '25c81989df183df01b3e8a0aad5dffbe',
    't10k-images-idx3-ubyte.gz': 'bef4ecab320f06d8554ea6380940ec79',
    't10k-labels-idx1-ubyte.gz': 'bb300cfdad3c16e7a12a480ee83cd310',
  },
};

/** The MNIST digit files (the mirror torchvision uses) and their MD5s. */
export const MNIST_MIRROR: MnistMirror = {
  baseUrl: 'https://ossci-datasets.s3.amazonaws.com/mnist/',
  md5: {
    'train-images-idx3-ubyte.gz': 'f68b3c2dcbeaaa9fbdd348bbdeb94873',
    'train-labels-idx1-ubyte.gz': 'd53e105ee54ea40749a09fcbcd1e9432',
    't10k-images-idx3-ubyte.gz': '9fb629c4189551a2d022fa330f9573f3',
    't10k-labels-idx1-ubyte.gz': 'ec29112dd5afa0611ce80d1b7f02629c',
  },
};

/** Debian's `dataset-fashion-mnist` install directory. */
export const DEBIAN_FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';

interface Flavour {
  ctor: typeof MnistDataset;
  name: string;
  exportName: string;
  mirror: MnistMirror;
  systemPaths: string[];
  sampleDir: string | undefined;
}

/** The shipped sample directory, found by walking up from this file (works from sources and from `dist/`). */
export function shippedSampleDir(): string | undefined {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let up = 0; up < 6; up++) {
    const candidate = join(dir, 'data', 'fashion-mnist-sample');
    if (existsSync(candidate)) return candidate;
    dir = dirname(dir);
  }
  return undefined;
}

/** `dir/name.gz` or `dir/name`, whichever exists. */
function findFile(dir: string, name: string): string | undefined {
  for (const p of [join(dir, `${name}.gz`), join(dir, name)]) if (existsSync(p)) return p;
  return undefined;
}

async function load<X>(flavour: Flavour, options: MnistLoadOptions<X>): Promise<MnistDataset<X>> {
  const split = (options.train ?? true) ? 'train' : 't10k';
  const names = [`${split}-images-idx3-ubyte`, `${split}-labels-idx1-ubyte`] as const;
  const cacheDir = options.cacheDir ?? join(homedir(), '.cache', 'lightning-ts', flavour.name);
  const tried: string[] = [];
  const look = (dir: string): [string, string] | undefined => {
    tried.push(dir);
    const images = findFile(dir, names[0]);
    const labels = findFile(dir, names[1]);
    return images !== undefined && labels !== undefined ? [images, labels] : undefined;
  };
  let found: [string, string] | undefined;
  let fromSample = false;
  if (options.root !== undefined) found = look(options.root);
  for (const dir of options.systemPaths ?? flavour.systemPaths) found ??= look(dir);
  found ??= look(cacheDir);
  if (found === undefined && options.download === true) {
    const mirror = options.mirror ?? flavour.mirror;
    const directory = options.root ?? cacheDir;
    const paths: string[] = [];
    for (const name of names) {
      const fileName = `${name}.gz`;
      const md5 = mirror.md5[fileName];
      if (md5 === undefined) throw new DatasetNotFoundError(`The mirror for ${flavour.name} lists no checksum for ${fileName}.`, 'Add it to mirror.md5.');
      paths.push(await downloadVerified({ url: new URL(fileName, mirror.baseUrl).href, md5, directory, fileName }));
    }
    found = [paths[0] as string, paths[1] as string];
  }
  if (found === undefined && (options.sample ?? true) && flavour.sampleDir !== undefined) {
    found = look(flavour.sampleDir);
    fromSample = found !== undefined;
  }
  if (found === undefined) {
    throw new DatasetNotFoundError(
      `${flavour.name} (${split}) was not found. Looked for ${names[0]}[.gz] and ${names[1]}[.gz] in: ${tried.join(', ')}.`,
      flavour.name === 'fashion-mnist'
        ? 'Install it with `apt-get install dataset-fashion-mnist`, pass { download: true } (needs internet), or point { root } at a directory with the IDX files.'
        : 'Pass { download: true } (needs internet), or point { root } at a directory with the IDX files.',
    );
  }
  if (options.root !== undefined && !found[0].startsWith(options.root)) {
    warn('LT4001', `${flavour.name}: no IDX files in root ${options.root}; using ${dirname(found[0])} instead.`);
  }
  if (fromSample) warn('LT4002', `${flavour.name}: using the small sample shipped with lightning-ts (${dirname(found[0])}); install dataset-fashion-mnist for the full data.`);
  const [images, labels] = await Promise.all([readIdxFile(found[0]), readIdxFile(found[1])]);
  const source = dirname(found[0]);
  if (options.transform !== undefined) return new flavour.ctor<X>(images, labels, { transform: options.transform, source });
  const { transform: _t, ...plain } = options;
  const workerSpec = { modulePath: import.meta.url, exportName: flavour.exportName, args: [{ ...plain, root: source, download: false }] };
  return new flavour.ctor<X>(images, labels, { workerSpec, source });
}

/**
 * Fashion-MNIST (Zalando's 28×28 clothing images, 10 classes) as `[image, label]` samples, like torchvision's
 * `FashionMNIST`. Without a transform each image is float32 `[1, 28, 28]` in [0, 1], and the dataset can be read by
 * DataLoader workers. Build it with `await FashionMNIST.load(options)`.
 *
 * @example
 * const train = await FashionMNIST.load({ train: true });   // Debian's files, else the sample shipped in the repo
 * const loader = new DataLoader(train, { batchSize: 64, shuffle: true, numWorkers: 2 });
 */
export class FashionMNIST<X = ShapedArray> extends MnistDataset<X> {
  /** Find (or download) the IDX files and decode them; see `MnistLoadOptions` for the search order. */
  static load<X = ShapedArray>(options: MnistLoadOptions<X> = {}): Promise<FashionMNIST<X>> {
    return loadFashionMNIST(options);
  }
}

/** MNIST handwritten digits as `[image, label]` samples (from `root`, the cache, or a download): `await MNIST.load(options)`. */
export class MNIST<X = ShapedArray> extends MnistDataset<X> {
  /** Find (or download) the IDX files and decode them. */
  static load<X = ShapedArray>(options: MnistLoadOptions<X> = {}): Promise<MNIST<X>> {
    return loadMNIST(options);
  }
}

/** `FashionMNIST.load` as a plain function (the factory DataLoader workers call). */
export function loadFashionMNIST<X = ShapedArray>(options: MnistLoadOptions<X> = {}): Promise<FashionMNIST<X>> {
  return load(
    { ctor: FashionMNIST, name: 'fashion-mnist', exportName: 'loadFashionMNIST', mirror: FASHION_MNIST_MIRROR, systemPaths: [DEBIAN_FASHION_MNIST_DIR], sampleDir: shippedSampleDir() },
    options,
  );
}

/** `MNIST.load` as a plain function (the factory DataLoader workers call). */
export function loadMNIST<X = ShapedArray>(options: MnistLoadOptions<X> = {}): Promise<MNIST<X>> {
  return load({ ctor: MNIST, name: 'mnist', exportName: 'loadMNIST', mirror: MNIST_MIRROR, systemPaths: [], sampleDir: undefined }, options);
}
