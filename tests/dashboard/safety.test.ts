import assert from 'node:assert/strict';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startDashboard, type DashboardServer } from '../../src/dashboard/server.js';
import { rawGet, tempDir, writeFinishedRun } from './helpers.js';

// Layout: <root>/secret.txt (outside the log dir), <root>/logs/exp/version_0/... (the log dir).
const root = tempDir();
const logDir = join(root.dir, 'logs');
let server: DashboardServer;
let port = 0;

before(async () => {
  mkdirSync(logDir);
  writeFileSync(join(root.dir, 'secret.txt'), 'TOP SECRET');
  writeFinishedRun(logDir, 'exp', 5, 0.1);
  writeFileSync(join(logDir, 'exp', 'version_0', '.env'), 'HIDDEN');
  symlinkSync(join(root.dir, 'secret.txt'), join(logDir, 'exp', 'version_0', 'link.txt'));
  symlinkSync(root.dir, join(logDir, 'escape'));
  server = await startDashboard({ logDir, port: 0 });
  port = server.port;
});
after(async () => {
  await server.close();
  root.cleanup();
});

describe('dashboard safety', () => {
  it('binds to loopback and serves the run files under the log dir', async () => {
    assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
    const res = await rawGet(port, '/files/exp/version_0/hparams.yaml');
    assert.equal(res.status, 200);
    assert.match(res.body, /^lr: 0\.1$/m);
    const jsonl = await rawGet(port, '/files/exp/version_0/metrics.jsonl');
    assert.equal(jsonl.status, 200);
    assert.equal(jsonl.body.trim().split('\n').length, 1 + 5 + 1 + 1 + 1 + 1);
  });

  const refused: Array<[string, number]> = [
    ['/files/../secret.txt', 403],
    ['/files/exp/../../secret.txt', 403],
    ['/files/exp/version_0/../../../secret.txt', 403],
    ['/files/%2e%2e/secret.txt', 403],
    ['/files/..%2fsecret.txt', 403],
    ['/files/%2E%2E%2Fsecret.txt', 403],
    ['/files/..%5csecret.txt', 400],
    ['/files//etc/passwd', 403],
    ['/files/%2Fetc%2Fpasswd', 403],
    [`/files/${encodeURIComponent(join(root.dir, 'secret.txt'))}`, 403],
    ['/files/C:%5Cwindows%5Cwin.ini', 400],
    ['/files/exp/version_0/link.txt', 403],
    ['/files/escape/secret.txt', 403],
    ['/files/exp/version_0/.env', 403],
    ['/files/exp/version_0/metrics.jsonl%00.png', 400],
    ['/files/%zz', 400],
    ['/files/exp', 403],
    ['/files/exp/', 403],
    ['/files/', 403],
    ['/files/exp/version_0/nope.txt', 404],
    ['/../secret.txt', 404],
    ['/../../../../etc/passwd', 404],
    ['/vendor/../package.json', 404],
    ['/app/../server.ts', 404],
    ['/app/main.ts', 404],
    ['//etc/passwd', 400],
    ['/api/run?id=../secret.txt', 404],
    ['/api/run?id=%2Fetc%2Fpasswd', 404],
  ];
  for (const [path, status] of refused) {
    it(`refuses ${path} with ${status}`, async () => {
      const res = await rawGet(port, path);
      assert.equal(res.status, status, res.body);
      assert.doesNotMatch(res.body, /TOP SECRET|HIDDEN|root:/);
    });
  }

  it('refuses absolute-form request targets, other methods and foreign Host headers (DNS rebinding)', async () => {
    assert.equal((await rawGet(port, 'http://evil.example/files/exp/version_0/hparams.yaml')).status, 400);
    assert.equal((await rawGet(port, '/', `127.0.0.1:${port}`, 'POST')).status, 405);
    assert.equal((await rawGet(port, '/api/runs', 'evil.example')).status, 403);
    assert.equal((await rawGet(port, '/api/runs', `localhost:${port}`)).status, 200);
    assert.equal((await rawGet(port, '/api/runs', `[::1]:${port}`)).status, 200);
  });

  it('sends its own assets with nosniff and a Content-Security-Policy', async () => {
    const page = await rawGet(port, '/');
    assert.equal(page.status, 200);
    assert.match(page.body, /<script type="module" src="\/app\/main\.js"><\/script>/);
    assert.equal(page.headers['x-content-type-options'], 'nosniff');
    assert.match(String(page.headers['content-security-policy']), /default-src 'self'.*script-src 'self' 'sha256-/);
    const uplot = await rawGet(port, '/vendor/uplot.esm.js');
    assert.equal(uplot.status, 200);
    assert.match(uplot.body, /export \{ uPlot as default \}/);
    const main = await rawGet(port, '/app/main.js');
    assert.equal(main.status, 200);
    assert.doesNotMatch(main.body, /import type|: RunSummary/, 'compiled to plain JavaScript');
  });
});
