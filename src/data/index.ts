/** Public surface of the data package for Node: the portable part plus the Node-only loaders in `./node/`. */
export * from './portable.js';
export {
  DEBIAN_FASHION_MNIST_DIR,
  FASHION_MNIST_MIRROR,
  FashionMNIST,
  MNIST,
  MNIST_MIRROR,
  loadFashionMNIST,
  loadMNIST,
  shippedSampleDir,
} from './node/mnist.js';
export type { MnistLoadOptions, MnistMirror } from './node/mnist.js';
export { loadCsvDataset } from './node/csv.js';
export { readIdxFile } from './node/idx-file.js';
export { DownloadError, downloadVerified } from './node/download.js';
export { DataLoaderWorkerError, createNodeWorkerPool } from './node/worker-pool.js';
