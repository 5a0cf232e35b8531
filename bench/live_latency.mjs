// The drawing side of bench/live_latency.sh: opens the Live page of a running
// `playlake serve` in Debian's Chromium, starts the producer command given, and
// records each drawing of the page (its `live-drawn` event) until the producer has
// finished and the page has drawn everything read. Prints one JSON line:
// { plays, draws, read, p50_ms, p99_ms, max_ms }, where `read` is how many messages the
// server read while the producer ran (all it produced, unless the broker dropped some
// before they were read).
//
// Produced → drawn, per play: Kafka stamps each message with the time the producer
// handed it over (CreateTime). A drawing shows the plays read since the previous one,
// whose stamps lie between the two drawings' `last_produced_ms`; they are taken as
// evenly spread there (the producer runs at a steady rate), and each play's latency is
// the drawing's wall clock minus its stamp. Producer, server and browser share this
// machine's clock. The first WARMUP_MS of drawings are left out.
//
//   node bench/live_latency.mjs URL PRODUCER_COMMAND...
import { spawn } from 'node:child_process';
import { launchBrowser } from '../web/tests/browser.mjs';

const WARMUP_MS = 2000;
const [url, ...producer] = process.argv.slice(2);

const browser = await launchBrowser();
const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
await page.goto(`${url}#/live`);
await page.waitForSelector('#live', { timeout: 30000 });
await page.evaluate(() => {
  window.liveDraws = [];
  document.querySelector('#live').addEventListener('live-drawn', (e) => window.liveDraws.push(e.detail));
});

const readBefore = await page.evaluate(() => fetch('api/live').then((r) => r.json()).then((s) => s.messages_read));
const started = Date.now();
const child = spawn(producer[0], producer.slice(1), { stdio: ['ignore', 'ignore', 'inherit'] });
const code = await new Promise((resolve) => child.on('exit', resolve));
if (code !== 0) throw new Error(`the producer exited with ${code}`);
// Everything produced is drawn once the page shows no lag.
await page.waitForFunction(() => document.querySelector('#live [data-kpi="live_lag"] .value')?.textContent === '0',
  null, { timeout: 30000 });
await page.waitForTimeout(300);
const draws = await page.evaluate(() => window.liveDraws);
// LIVE_DRAWS=FILE keeps every drawing's detail, to look at where the time went.
if (process.env.LIVE_DRAWS) (await import('node:fs')).writeFileSync(process.env.LIVE_DRAWS, JSON.stringify(draws));
await browser.close();

const latencies = [];
for (let i = 1; i < draws.length; i++) {
  const [before, now] = [draws[i - 1], draws[i]];
  const n = now.messages_read - before.messages_read;
  if (n <= 0 || before.last_produced_ms === null || now.drawn_ms - started < WARMUP_MS) continue;
  const span = now.last_produced_ms - before.last_produced_ms;
  for (let k = 1; k <= n; k++) latencies.push(now.drawn_ms - (before.last_produced_ms + (span * k) / n));
}
latencies.sort((a, b) => a - b);
const at = (q) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
console.log(JSON.stringify({
  plays: latencies.length, draws: draws.length, read: (draws.at(-1)?.messages_read ?? readBefore) - readBefore, p50_ms: at(0.5), p99_ms: at(0.99), max_ms: latencies.at(-1),
}));
