// Helpers for dashboard tests: temp log dirs, logged runs and raw HTTP requests (paths sent exactly as written).
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JsonlLogger } from '../../src/loggers/jsonl-logger.js';

/** A fresh directory under the OS temp dir, and a cleanup function. */
export function tempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'lts-dashboard-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Write a finished JsonlLogger run with `steps` points of `train/loss`, one `val/loss` per 5 steps, hparams, a checkpoint and test metrics. */
export function writeFinishedRun(saveDir: string, name: string, steps: number, lr: number): JsonlLogger {
  let t = 1_700_000_000_000;
  const logger = new JsonlLogger({ saveDir, name, now: () => (t += 1000) });
  logger.logHyperparams({ lr, hidden: 32, optimizer: { name: 'adam' } });
  for (let s = 0; s < steps; s++) {
    const epoch = Math.floor(s / 5);
    logger.logMetrics({ 'train/loss': 2 * Math.exp(-s * lr * 10) + 0.05 * Math.sin(s), 'lr-Adam': lr * 0.9 ** epoch, epoch }, s);
    if (s % 5 === 4) logger.logMetrics({ 'val/loss': 1.5 * Math.exp(-s * lr * 8), epoch }, s);
  }
  logger.afterSaveCheckpoint({ savedPath: 'ckpt/last.ckpt', bestModelPath: `${logger.logDir}/checkpoints/best.ckpt`, bestModelScore: 0.25, monitor: 'val/loss' });
  logger.logMetrics({ 'test/acc': 0.9, 'test/loss': 0.3 }, steps);
  logger.finalize('success');
  return logger;
}

/** A raw HTTP response. */
export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** GET `path` exactly as given (no URL normalisation, unlike fetch), with an optional Host header. */
export function rawGet(port: number, path: string, host = `127.0.0.1:${port}`, method = 'GET'): Promise<RawResponse> {
  return new Promise((ok, fail) => {
    const req = request({ host: '127.0.0.1', port, path, method, headers: { host } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => ok({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', fail);
    req.end();
  });
}
