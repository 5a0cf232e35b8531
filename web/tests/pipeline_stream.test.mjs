// Browser test of the Pipeline page's Stream panel: a real broker process
// (playlake-kafka-mock, built beside the binary), plays produced and streamed
// into the lake by the real binary, more produced but not streamed; the panel
// shows the lag and every partition's offsets as the brokers and the lake hold
// them. Debian's Chromium, driven by playwright-core, reads the page.
//
// Environment: PLAYLAKE_BINARY (the binary under test).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { apiJson, cleanUp, launchBrowser, openPage, startServer } from './browser.mjs';

const binary = process.env.PLAYLAKE_BINARY;
const mockBinary = join(dirname(binary ?? '.'), '..', 'stream', 'playlake-kafka-mock');
let dir, broker, server, browser, baseUrl;

// Starts the test broker; resolves to its bootstrap address.
function startBroker() {
  broker = spawn(mockBinary, ['--topic', 'plays:2'], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    broker.stdout.on('data', (d) => {
      out += d;
      if (out.includes('\n')) resolve(out.trim());
    });
    broker.on('exit', (code) => reject(new Error(`playlake-kafka-mock exited with ${code}`)));
  });
}

const playlake = (...args) => execFileSync(binary, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'playlake-stream-'));
  const bootstrap = await startBroker();
  writeFileSync(join(dir, 'playlake.yml'), [
    'name: stream-panel', 'lake: lake', 'sources:', '  - name: live', '    format: playlake', '    kafka:',
    `      brokers: ${bootstrap}`, '      topics: plays', '      flush_interval_ms: 200',
    '      properties: {fetch.wait.max.ms: 5}', '',
  ].join('\n'));
  const produce = (seed, events) => playlake('generate', '--seed', String(seed), '--users', '20',
    '--events', String(events), '--quiet', '--kafka', bootstrap, '--topic', 'plays');
  produce(1, 150);
  const stream = spawn(binary, ['stream', '--project', dir], { stdio: 'ignore' });
  // Until the stream committed all 150 (before its first commit there is no lake to ask).
  const committed = () => {
    try {
      return playlake('sql', '--project', dir, '--format', 'csv', 'select count(*) from plays').split('\n')[1];
    } catch {
      return undefined;
    }
  };
  for (let i = 0; i < 600 && committed() !== '150'; i++) await new Promise((r) => { setTimeout(r, 100); });
  stream.kill('SIGTERM');
  await new Promise((r) => { stream.on('exit', r); });
  playlake('run', '--project', dir);
  produce(2, 12); // on the brokers only: the lag
  ({ child: server, url: baseUrl } = await startServer(binary, dir));
  browser = await launchBrowser();
});

after(async () => {
  await cleanUp({ browser, server, dir });
  broker?.kill('SIGTERM');
});

test('the Stream panel shows the lag and each partition as the lake and the brokers hold them', async () => {
  // The first ask of the brokers may outlast the server's wait for them (1 s) on a loaded machine.
  let api = await apiJson(baseUrl, 'stream');
  for (let i = 0; i < 30 && api.lag === null; i++) api = await apiJson(baseUrl, 'stream');
  assert.equal(api.lag, 12);
  assert.equal(api.partitions.reduce((sum, p) => sum + p.committed_offset, 0), 150);
  const { page, errors } = await openPage(browser, baseUrl, '#pipeline');
  assert.equal(await page.textContent('#stream [data-kpi="stream_lag"] .value'), '12');
  assert.equal(await page.textContent('#stream [data-kpi="stream_last_commit"] .value'), api.last_commit_at);
  const rows = await page.$$eval('#stream tbody tr', (trs) => trs.map((tr) => [...tr.cells].map((td) => td.textContent)));
  assert.deepEqual(rows.map((r) => r.slice(0, 5)), api.partitions.map((p) => [
    'plays', String(p.partition), p.committed_offset.toLocaleString('en-US'),
    p.end_offset.toLocaleString('en-US'), String(p.lag)]));
  assert.deepEqual(errors, []);
});
