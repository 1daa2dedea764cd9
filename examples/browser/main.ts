// The example page: LitMNIST — the very module of examples/fashion-mnist — trained in the tab on the shipped
// Fashion-MNIST sample, with live curves (the dashboard's chart component), a checkpoint download, and an upload
// of a checkpoint trained in Node. `window.lightningTs` exposes the same actions to scripts (the browser test).
import 'uplot/dist/uPlot.min.css';
import { LitMNIST } from '../fashion-mnist/lit-mnist.js';
import { Callback, MetricChart, Trainer, checkpointIO, downloadCheckpoint, importCheckpointFile, seedEverything, selectBackend } from '../../src/browser.js';
import type { BackendName, TrainerContext } from '../../src/browser.js';
import { FetchedFashionMNIST } from './datamodule.js';

/** What `train` reports. */
export interface TrainReport {
  backend: string;
  reason: string;
  steps: number[];
  losses: number[];
  valAcc: number | undefined;
  testAcc: number | undefined;
  checkpointPath: string;
  trainMs: number;
  /** Timer ticks (50 ms interval) seen while training, and the longest gap between two of them. */
  ticks: number;
  maxTickGapMs: number;
}

/** Options of `train`. */
export interface TrainOptions {
  backend?: BackendName;
  maxEpochs?: number;
  limitTrainBatches?: number;
  seed?: number;
}

const $ = <T extends HTMLElement>(id: string): T => {
  const el = document.getElementById(id);
  if (el === null) throw new Error(`#${id} is missing from the page`);
  return el as T;
};

const datamodule = new FetchedFashionMNIST({ baseUrl: new URL('data/fashion-mnist-sample/', location.href).href });
const lossChart = new MetricChart('train_loss');
const accChart = new MetricChart('val_acc');
$('charts').append(lossChart.element, accChart.element);
const settings = { xAxis: 'step', smoothing: 0.6, isLogScale: false } as const;
let model: LitMNIST | undefined;
let lastCheckpoint = '';
let state: 'idle' | 'training' | 'trained' | 'loading' | 'loaded' | 'error' = 'idle';
let lastError = '';

// The responsiveness probe: a 50 ms timer that keeps the clock running; during training it records the gaps.
let tickLog: number[] | undefined;
setInterval(() => {
  const now = performance.now();
  tickLog?.push(now);
  $('clock').textContent = `${(now / 1000).toFixed(2)} s`;
}, 50);

function setStatus(text: string, next?: typeof state): void {
  if (next !== undefined) state = next;
  $('status').textContent = text;
  document.body.dataset.state = state;
}

/** Collects train_loss every step and val_acc every validation, and redraws the charts at most 5 times a second. */
class LiveCurves extends Callback {
  readonly steps: number[] = [];
  readonly losses: number[] = [];
  readonly valSteps: number[] = [];
  readonly valAcc: number[] = [];
  private lastDraw = 0;

  override onTrainBatchEnd(trainer: TrainerContext): void {
    const loss = trainer.callbackMetrics.train_loss;
    if (loss === undefined) return;
    this.steps.push(trainer.globalStep);
    this.losses.push(loss);
    $('progress').textContent = `epoch ${trainer.currentEpoch} · step ${trainer.globalStep} · loss ${loss.toFixed(4)}`;
    if (performance.now() - this.lastDraw > 200) this.draw();
  }

  override onValidationEnd(trainer: TrainerContext): void {
    const acc = trainer.callbackMetrics.val_acc;
    if (trainer.sanityChecking || acc === undefined) return;
    this.valSteps.push(trainer.globalStep);
    this.valAcc.push(acc);
    this.draw();
  }

  draw(): void {
    this.lastDraw = performance.now();
    lossChart.update([{ id: 'run', label: 'train_loss', color: '#0969da', curve: { x: this.steps, y: this.losses } }], settings);
    accChart.update([{ id: 'run', label: 'val_acc', color: '#1a7f37', curve: { x: this.valSteps, y: this.valAcc } }], { ...settings, smoothing: 0 });
  }
}

async function train(options: TrainOptions = {}): Promise<TrainReport> {
  setStatus('Choosing a backend…', 'training');
  try {
    const choice = await selectBackend(options.backend ?? 'auto');
    $('backend').textContent = `${choice.name} (${choice.reason})`;
    seedEverything(options.seed ?? 42);
    model = new LitMNIST();
    const curves = new LiveCurves();
    const trainer = new Trainer({
      accelerator: choice.name as BackendName,
      maxEpochs: options.maxEpochs ?? 2,
      ...(options.limitTrainBatches === undefined ? {} : { limitTrainBatches: options.limitTrainBatches }),
      logEveryNSteps: 1,
      defaultRootDir: `runs/${new Date().toISOString().replace(/[:.]/g, '-')}`,
      enableModelSummary: false,
      callbacks: [curves],
    });
    setStatus('Training…');
    tickLog = [];
    const started = performance.now();
    await trainer.fit(model, { datamodule });
    const trainMs = performance.now() - started;
    const ticks = tickLog;
    tickLog = undefined;
    const [results] = await trainer.test(model, { datamodule });
    curves.draw();
    lastCheckpoint = trainer.checkpointCallback?.bestModelPath ?? '';
    const testAcc = results?.test_acc;
    $('result').textContent = `validation accuracy ${fmt(curves.valAcc.at(-1))} · test accuracy ${fmt(testAcc)} · ${(trainMs / 1000).toFixed(1)} s · checkpoint ${lastCheckpoint}`;
    $<HTMLButtonElement>('download').disabled = lastCheckpoint === '';
    setStatus('Trained.', 'trained');
    const gaps = ticks.slice(1).map((t, i) => t - (ticks[i] ?? t));
    return {
      backend: choice.name, reason: choice.reason, steps: curves.steps, losses: curves.losses, valAcc: curves.valAcc.at(-1), testAcc,
      checkpointPath: lastCheckpoint, trainMs, ticks: ticks.length, maxTickGapMs: Math.max(0, ...gaps),
    };
  } catch (error) {
    fail(error);
    throw error;
  }
}

function fmt(value: number | undefined): string {
  return value === undefined ? '–' : `${(100 * value).toFixed(1)} %`;
}

function fail(error: unknown): void {
  lastError = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  setStatus(`Failed: ${lastError}`, 'error');
}

/** Store a user's checkpoint file, load LitMNIST from it, and test it on the sample's test split. */
async function loadUploaded(file: File): Promise<void> {
  setStatus(`Loading ${file.name}…`, 'loading');
  try {
    await selectBackend('auto'); // keeps the backend a training run chose
    const path = `uploads/${file.name}`;
    await importCheckpointFile(file, path);
    model = await LitMNIST.loadFromCheckpoint(path);
    const trainer = new Trainer({ logger: false, enableProgressBar: false, enableModelSummary: false });
    const [results] = await trainer.test(model, { datamodule });
    $('result').textContent = `uploaded ${file.name}: test accuracy ${fmt(results?.test_acc)}`;
    setStatus(`Loaded ${file.name}.`, 'loaded');
  } catch (error) {
    fail(error);
  }
}

function weights(): Record<string, number[]> {
  if (model === undefined) throw new Error('No model yet: train or upload one first.');
  return Object.fromEntries(Object.entries(model.stateDict()).map(([name, t]) => [name, Array.from(t.dataSync())]));
}

/** The last checkpoint's bytes, base64-encoded (cheap to hand to a test driver). */
async function checkpointBase64(): Promise<string> {
  const bytes = await (await checkpointIO()).load(lastCheckpoint);
  let text = '';
  for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(text);
}

$('train').addEventListener('click', () => {
  const backend = $<HTMLSelectElement>('backend-choice').value as BackendName;
  void train({ backend }).catch(() => undefined);
});
$('download').addEventListener('click', () => {
  void downloadCheckpoint(lastCheckpoint, { filename: 'lit-mnist-browser.ckpt' }).catch(fail);
});
$('upload').addEventListener('change', (event) => {
  const file = (event.target as HTMLInputElement).files?.[0];
  if (file !== undefined) void loadUploaded(file);
});
setStatus('Ready: press Train.');

Object.assign(window, {
  lightningTs: {
    train,
    weights,
    checkpointBase64,
    get state() { return state; },
    get lastError() { return lastError; },
  },
});
