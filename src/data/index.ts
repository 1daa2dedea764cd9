/** Public surface of the data package (Node-only loaders live in `./node/` and are re-exported here). */
export { ConcatDataset, Subset, TensorDataset, isMapDataset, randomSplit } from './dataset.js';
export type { Dataset, IterableDataset, MapDataset, MaybePromise, RandomSplitOptions, ShapedArray, TensorRow } from './dataset.js';
export { BatchSampler, EpochSampler, RandomSampler, SequentialSampler, WeightedRandomSampler } from './sampler.js';
export type { BatchSamplerLike, RandomSamplerOptions, Sampler, SamplerState, SeedOptions, Sized, WeightedRandomSamplerOptions } from './sampler.js';
export { DistributedSampler } from './distributed-sampler.js';
export type { DistributedSamplerOptions } from './distributed-sampler.js';
export { DataLoader } from './dataloader.js';
export type { DataLoaderOptions, DataLoaderState } from './dataloader.js';
export { arraysToTensors, batchTensors, defaultCollate, disposeBatch } from './collate.js';
export { collateArrays, isArrayLeaf, transferablesOf } from './collate-arrays.js';
export type { ArrayLeaf, ArrayTree, CollatedDtype } from './collate-arrays.js';
export { CollateError, DatasetNotFoundError } from './errors.js';
export { datasetFromModule, buildDatasetFromSpec } from './worker-spec.js';
export type { WorkerDatasetSpec } from './worker-spec.js';
export { registerWorkerPoolFactory } from './worker-pool.js';
export type { WorkerBatch, WorkerPool, WorkerPoolFactory, WorkerPoolOptions } from './worker-pool.js';
export { MappedDataset, compose, normalize, randomCrop, randomHorizontalFlip, toTensor } from './transforms.js';
export type { FloatImage, RandomCropOptions, RandomFlipOptions, Transform } from './transforms.js';
export { encodeIdx, parseIdx } from './idx.js';
export type { IdxArray, IdxDtype } from './idx.js';
export { FASHION_MNIST_CLASSES, MnistDataset } from './mnist.js';
export type { MnistDatasetOptions } from './mnist.js';
export { CsvDataset, parseCsv } from './csv.js';
export type { CsvColumnType, CsvDatasetOptions } from './csv.js';
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
