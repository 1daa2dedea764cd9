// Child process of fault-injection.test.ts: saves checkpoints of growing size in a loop until it is killed.
// Imports no TF.js (fast start); writes the same layout serializeCheckpoint does. Prints "ready", then each
// version number after its save has returned. The test bundles it with esbuild so it starts in plain Node.
// Usage: node save-loop.mjs <path> <firstVersion> <atomic|naive>
import { writeFile } from 'node:fs/promises';
import { NodeCheckpointIO } from '../../../src/checkpoint/node-checkpoint-io.js';
import { checkpointBytes } from './checkpoint-versions.js';

const [path, first, mode] = process.argv.slice(2);
if (path === undefined || first === undefined) throw new Error('usage: save-loop <path> <firstVersion> <atomic|naive>');
const io = new NodeCheckpointIO();
process.stdout.write('ready\n');
for (let v = Number(first); ; v++) {
  const bytes = checkpointBytes(v);
  if (mode === 'naive') await writeFile(path, bytes);
  else await io.save(path, bytes);
  process.stdout.write(`${v}\n`);
}
