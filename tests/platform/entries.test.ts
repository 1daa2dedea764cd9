// The two entries stay in step: everything the Node entry exports is in the browser entry, except an explicit list
// of Node-only features, so a symbol added to one is not silently missing from the other.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as browserApi from '../../src/browser.js';
import * as nodeApi from '../../src/index.js';

const NODE_ONLY = [
  'DDPStrategy', 'MpiCollective', 'detectLauncher', 'NodeCheckpointIO', 'removeStaleTempFiles', 'nodeDeflate', 'nodeLogFileSystem',
  'FashionMNIST', 'MNIST', 'LightningCLI', 'runCli', 'ConfigError', 'SaveConfigCallback', 'formatConfig', 'validateConfig',
  'validateInitArgs', 'LightningConfig', 'startDashboard', 'launchDashboard', 'startTrainerDashboard', 'runDashboardCli',
  'RunStore', 'findRunDirs',
].sort();
const BROWSER_ONLY = ['browserLogFiles', 'MetricChart', 'createWebWorkerPool', 'webWorkerPoolFactory', 'WebWorkerPoolError', 'DATA_WORKER_FILE', 'fetchFashionMNIST', 'fetchMNIST', 'readMnistBlobs', 'fetchCsvDataset', 'readCsvBlob', 'fetchIdx', 'readIdxBlob', 'FetchError'].sort();
const NODE_ONLY_DATA = ['DEBIAN_FASHION_MNIST_DIR', 'FASHION_MNIST_MIRROR', 'FashionMNIST', 'MNIST', 'MNIST_MIRROR', 'loadFashionMNIST', 'loadMNIST', 'shippedSampleDir', 'loadCsvDataset', 'readIdxFile', 'DownloadError', 'downloadVerified', 'DataLoaderWorkerError', 'createNodeWorkerPool'].sort();

describe('public entries', () => {
  it('the browser entry has every Node export except the Node-only list, plus the browser additions', () => {
    const node = Object.keys(nodeApi);
    const browser = Object.keys(browserApi);
    assert.deepEqual(node.filter((k) => !browser.includes(k)).sort(), NODE_ONLY);
    assert.deepEqual(browser.filter((k) => !node.includes(k)).sort(), BROWSER_ONLY);
  });

  it('the data namespaces differ only by the Node loaders', () => {
    const node = Object.keys(nodeApi.data);
    const browser = Object.keys(browserApi.data);
    assert.deepEqual(node.filter((k) => !browser.includes(k)).sort(), NODE_ONLY_DATA);
    assert.deepEqual(browser.filter((k) => !node.includes(k)), []);
  });

  it('shared symbols are the same objects in both entries', () => {
    assert.equal(browserApi.Trainer, nodeApi.Trainer);
    assert.equal(browserApi.LightningModule, nodeApi.LightningModule);
    assert.equal(browserApi.data.DataLoader, nodeApi.data.DataLoader);
  });
});
