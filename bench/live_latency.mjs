// The drawing side of bench/live_latency.sh: opens the Live page of a running
// `playlake serve` in Debian's Chromium, starts the producer command given, and
// records each drawing of the page (its `live-drawn` event) until the producer has
// finished and the page has drawn everything read. Beside the page, a plain client of
// /api/live/stream records when each snapshot arrives, which splits the time between
// the server (produced → received) and the browser. Prints one JSON line:
// { plays, draws, read, p50_ms, p99_ms, max_ms, received_p50_ms, received_p99_ms },
// where `read` is how many messages the server read while the producer ran (all it
// produced, unless the broker dropped some before they were read).
//
// Produced → drawn, per play: Kafka stamps each message with the time the producer
// handed it over (CreateTime). A drawing shows the plays read since the previous one,
// whose stamps lie between the two drawings' `last_produced_ms`; they are taken as
// evenly spread there (the producer runs at a steady rate), and each play's latency is
// the drawing's wall clock minus its stamp (for the plain client: the snapshot's arrival).
// Producer, server and browser share this machine's clock. The first WARMUP_MS are left
// out.
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

// The plain client: each snapshot's arrival, in the shape of a drawing.
const received = [];
const stopReading = new AbortController();
const stream = await fetch(`${url}api/live/stream`, { signal: stopReading.signal });
const reading = (async () => {
  const decoder = new TextDecoder();
  let text = '';
  for await (const chunk of stream.body) {
    const arrived = Date.now();
    text += decoder.decode(chunk, { stream: true });
    for (let end = text.indexOf('\n\n'); end >= 0; end = text.indexOf('\n\n')) {
      const data = text.slice(0, end).split('\n').find((line) => line.startsWith('data:'));
      text = text.slice(end + 2);
      if (!data) continue;
      const s = JSON.parse(data.slice(5));
      received.push({ last_produced_ms: s.last_produced_ms, messages_read: s.messages_read, drawn_ms: arrived });
    }
  }
})().catch((error) => {
  if (error.name !== 'AbortError') throw error;  // stopped by stopReading below
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
stopReading.abort();
await reading;

// Each play's latency, sorted, from a list of drawings (or arrivals).
function latenciesOf(shown) {
  const latencies = [];
  for (let i = 1; i < shown.length; i++) {
    const [before, now] = [shown[i - 1], shown[i]];
    const n = now.messages_read - before.messages_read;
    if (n <= 0 || before.last_produced_ms === null || now.drawn_ms - started < WARMUP_MS) continue;
    const span = now.last_produced_ms - before.last_produced_ms;
    for (let k = 1; k <= n; k++) latencies.push(now.drawn_ms - (before.last_produced_ms + (span * k) / n));
  }
  return latencies.sort((a, b) => a - b);
}
const at = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
const drawn = latenciesOf(draws);
const arrived = latenciesOf(received);
console.log(JSON.stringify({
  plays: drawn.length, draws: draws.length, read: (draws.at(-1)?.messages_read ?? readBefore) - readBefore, p50_ms: at(drawn, 0.5), p99_ms: at(drawn, 0.99), max_ms: drawn.at(-1),
  received_p50_ms: at(arrived, 0.5), received_p99_ms: at(arrived, 0.99),
}));
