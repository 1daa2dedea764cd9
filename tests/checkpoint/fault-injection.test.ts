// Kills a process with SIGKILL at random moments while it saves checkpoints in a loop, then checks what it left.
// The saver (helpers/save-loop.ts) is bundled once with esbuild (installed with tsx) so each start costs ~50 ms.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { selectBackend } from '../../src/runtime/backend.js';
import { Generator } from '../../src/utilities/random.js';
import { disposeCheckpoint } from '../../src/checkpoint/document.js';
import { loadCheckpoint } from '../../src/checkpoint/checkpoint.js';
import { NodeCheckpointIO, removeStaleTempFiles } from '../../src/checkpoint/node-checkpoint-io.js';
import type { Tensor } from '../../src/runtime/tf.js';
import { build } from 'esbuild';
import { weightSize } from './helpers/checkpoint-versions.js';

const CHILD_SOURCE = fileURLToPath(new URL('./helpers/save-loop.ts', import.meta.url));
const io = new NodeCheckpointIO();
let child = '';

/** Start the saver, wait until it is running, let it save for `delayMs`, SIGKILL it; returns the last version it reported saved. */
function runAndKill(path: string, first: number, delayMs: number, mode: 'atomic' | 'naive'): Promise<number | undefined> {
  return new Promise((resolve, reject) => {
    const saver = spawn(process.execPath, [child, path, String(first), mode], { stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    let timer: NodeJS.Timeout | undefined;
    saver.stdout.setEncoding('utf8');
    saver.stdout.on('data', (chunk: string) => {
      output += chunk;
      if (timer === undefined && output.includes('ready\n')) timer = setTimeout(() => saver.kill('SIGKILL'), delayMs);
    });
    saver.on('error', reject);
    saver.on('exit', (code, signal) => {
      if (signal !== 'SIGKILL') {
        reject(new Error(`saver exited with code ${code} before it was killed`));
        return;
      }
      const versions = output.split('\n').filter((l) => /^\d+$/.test(l)).map(Number);
      resolve(versions.at(-1));
    });
  });
}

/** Load the checkpoint at `path` and return its version after checking every tensor holds that version's values. */
async function loadVersion(path: string): Promise<number> {
  const document = await loadCheckpoint(path, io);
  try {
    const version = document.epoch;
    assert.equal(document.globalStep, version * 10);
    const weight = document.stateDict.weight!;
    assert.equal(weight.size, weightSize(version));
    assert.ok(weight.dataSync().every((x) => x === version), `weight of version ${version} is intact`);
    const expAvg = (document.optimizerStates as Array<{ state: Record<string, { expAvg: Tensor }> }>)[0]!.state['0']!.expAvg;
    assert.ok(expAvg.dataSync().every((x) => x === -version));
    return version;
  } finally {
    disposeCheckpoint(document);
  }
}

interface LaneResult {
  kills: number;
  tornFiles: number;
  staleTemps: number;
  savesSeen: number;
  /** Kills while an older checkpoint existed, i.e. where "old or new, never torn" was at stake. */
  killsOverExisting: number;
}

/** One lane: repeatedly start a saver on the same target, kill it, and check the target (a naive lane stops at its first torn file). */
async function lane(dir: string, kills: number, rng: Generator, mode: 'atomic' | 'naive'): Promise<LaneResult> {
  const path = join(dir, 'model.ckpt');
  const result: LaneResult = { kills: 0, tornFiles: 0, staleTemps: 0, savesSeen: 0, killsOverExisting: 0 };
  let lastComplete: number | undefined;
  let next = 1;
  for (let k = 0; k < kills; k++) {
    if (await io.exists(path)) result.killsOverExisting++;
    const reported = await runAndKill(path, next, Math.floor(rng.random() * 60), mode);
    result.kills++;
    if (reported !== undefined) {
      result.savesSeen += reported - next + 1;
      lastComplete = reported;
    }
    result.staleTemps += (await removeStaleTempFiles(dir)).length;
    assert.ok((await readdir(dir)).every((name) => name === 'model.ckpt'), 'only the target remains after cleanup');
    if (!(await io.exists(path))) {
      assert.equal(lastComplete, undefined, 'a reported save must leave a file');
      continue;
    }
    let version: number;
    try {
      version = await loadVersion(path);
    } catch (error) {
      if (mode === 'atomic') throw error;
      result.tornFiles++;
      break;
    }
    // The file is the last save reported complete, or the one after it that finished before the output was read.
    if (lastComplete !== undefined) assert.ok(version === lastComplete || version === lastComplete + 1, `found ${version}, last complete ${lastComplete}`);
    lastComplete = version;
    next = version + 1;
  }
  return result;
}

describe('atomic checkpoint writes under SIGKILL', () => {
  let root = '';
  before(async () => {
    await selectBackend('cpu');
    root = await mkdtemp(join(tmpdir(), 'ltkill-'));
    child = join(root, 'save-loop.mjs');
    await build({ entryPoints: [CHILD_SOURCE], outfile: child, bundle: true, platform: 'node', format: 'esm', target: 'node20', logLevel: 'error' });
  });
  after(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('leaves only loadable checkpoints after 52 random kills, the last complete one intact', async (t) => {
    // allSettled: a failing lane must not let `after` delete the directory under the others.
    const settled = await Promise.allSettled(
      [0, 1, 2, 3].map((i) => mkdtemp(join(root, `lane${i}-`)).then((dir) => lane(dir, 13, new Generator(1000 + i), 'atomic'))),
    );
    const lanes = settled.map((r) => {
      if (r.status === 'rejected') throw r.reason;
      return r.value;
    });
    const kills = lanes.reduce((n, r) => n + r.kills, 0);
    t.diagnostic(`atomic: ${JSON.stringify(lanes)}`);
    assert.equal(kills, 52);
    assert.equal(lanes.reduce((n, r) => n + r.tornFiles, 0), 0);
    // The kills must land in the middle of saves, not only between them, for the test to mean anything.
    assert.ok(lanes.reduce((n, r) => n + r.staleTemps, 0) > 0, 'some kills interrupted a write');
    assert.ok(lanes.reduce((n, r) => n + r.killsOverExisting, 0) >= 26, 'at least half the kills hit a directory that already had a checkpoint');
  });

  it('control: plain writeFile without the temp-file protocol leaves torn files the same check detects', async (t) => {
    const dir = await mkdtemp(join(root, 'naive-'));
    const result = await lane(dir, 40, new Generator(7), 'naive');
    t.diagnostic(`naive: ${JSON.stringify(result)}`);
    assert.equal(result.tornFiles, 1, `expected a torn file from non-atomic writes within 40 kills, got ${JSON.stringify(result)}`);
  });
});
