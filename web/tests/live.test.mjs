// Browser test of the Live page: a Kafka broker on 127.0.0.1 (librdkafka's mock
// cluster, in its own process), plays produced to it with kcat, `playlake serve`
// reading the topic, and Debian's Chromium showing the page. The numbers on the page
// must equal what was produced, and follow what is produced next without a reload.
//
// Environment: PLAYLAKE_BINARY (the binary under test), PLAYLAKE_REALDATA (the real data
// folder), PLAYLAKE_KAFKA_MOCK (the mock broker; by default beside the binary's build
// tree), SCREENSHOT_DIR (optional).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { cleanUp, launchBrowser, openPage, screenshot, startServer } from './browser.mjs';

const binary = process.env.PLAYLAKE_BINARY;
const mockBinary = process.env.PLAYLAKE_KAFKA_MOCK
  ?? join(dirname(binary ?? '.'), '..', 'stream', 'playlake-kafka-mock');
const screenshots = process.env.SCREENSHOT_DIR;
const COUNTRIES = ['SE', 'JP', 'BR', 'US', 'DE'];
const DEVICES = ['mobile', 'desktop', 'tablet'];
let dir, server, url, browser, broker, bootstrap, tracks;

// The first twelve tracks of a real playlist (Spotify's Top 50 Global, May 2024).
function realTracks() {
  const realdata = process.env.PLAYLAKE_REALDATA;
  assert.ok(realdata, 'PLAYLAKE_REALDATA must name the real data folder');
  const file = join(realdata, 'spotify_api', 'playlist_37i9dQZEVXbMDoHDwVN2tF_top50_global_2024-05.json');
  const [playlist] = JSON.parse(readFileSync(file, 'utf8'));
  return playlist.tracks.items.slice(0, 12).map(({ track }) => ({
    id: track.id, name: track.name, artist: track.artists[0].name,
  }));
}

// Starts the mock broker with `topic`; resolves to { child, bootstrap }.
function startBroker(topic) {
  const child = spawn(mockBinary, ['--topic', topic], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error('the mock broker printed no address in 20 s')), 20000);
    child.stdout.on('data', (d) => {
      out += d;
      if (out.includes('\n')) { clearTimeout(timer); resolve({ child, bootstrap: out.trim() }); }
    });
    child.on('exit', (code) => reject(new Error(`the mock broker exited with ${code}`)));
  });
}

// Plays n = first .. first+count-1 produced with kcat, keyed by listener, at event time
// at(n): by default 100 ms apart (all within the allowed lateness, whichever partition
// is read first). Tracks and countries are skewed so that the rankings have an order to
// get right. Returns the plays, to count from.
function produce(first, count, at = (n) => Date.UTC(2026, 11, 5, 12) + n * 100) {
  const plays = [];
  for (let n = first; n < first + count; n++) {
    const track = tracks[Math.floor(Math.sqrt(n % 144))];
    plays.push({
      event_id: `e${n}`, ts: at(n), user_id: `u${n % 37}`,
      track_id: track.id, track_name: track.name, artist_name: track.artist, ms_played: 180000,
      country: COUNTRIES[Math.floor(Math.sqrt(n % 25))], device: DEVICES[n % 3],
    });
  }
  const lines = plays.map((p) => `${p.user_id}\t${JSON.stringify(p)}\n`).join('');
  execFileSync('kcat', ['-P', '-b', bootstrap, '-t', 'plays', '-K', '\t'], { input: lines });
  return plays;
}

// A ranking as the page shows it: [key, plays as drawn], most played first, ties by key.
function ranked(plays, field, limit = Infinity) {
  const counts = new Map();
  for (const p of plays) counts.set(p[field], (counts.get(p[field]) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, limit).map(([key, n]) => [key, n.toLocaleString('en-US')]);
}

async function tableRows(page, id) {
  return page.$$eval(`#${id} tbody tr`, (rows) => rows.map((r) => [...r.cells].map((c) => c.textContent)));
}
const tile = (page, kpi) => page.textContent(`#live [data-kpi="${kpi}"] .value`);

const drawn = (page, plays) => page.waitForFunction(
  (n) => document.querySelector('#live')?.dataset.eventId === String(n), plays.length, { timeout: 30000 });

async function expectPageShows(page, plays) {
  await drawn(page, plays);
  assert.equal(await tile(page, 'live_plays'), plays.length.toLocaleString('en-US'));
  assert.equal(await tile(page, 'live_late'), '0');
  assert.equal(await tile(page, 'live_lag'), '0');
  // Tracks rank by id and show as their name and artist.
  const shown = new Map(tracks.map((t) => [t.id, `${t.name} — ${t.artist}`]));
  assert.deepEqual(await tableRows(page, 'live-tracks'),
    ranked(plays, 'track_id', 10).map(([id, n]) => [shown.get(id), n]));
  assert.deepEqual(await tableRows(page, 'live-artists'), ranked(plays, 'artist_name', 10));
  assert.deepEqual(await tableRows(page, 'live-countries'), ranked(plays, 'country'));
  assert.deepEqual(await tableRows(page, 'live-devices'), ranked(plays, 'device'));
  // The chart's bars add up to the plays (all within the last five minutes of event time)
  // once it is drawn (at most CHART_MS after the numbers).
  await page.waitForFunction((n) => window.echarts.getInstanceByDom(document.querySelector('#live-series .chart'))
    .getOption().series[0].data.reduce((a, b) => a + b, 0) === n, plays.length, { timeout: 2000 });
}

before(async () => {
  assert.ok(binary, 'PLAYLAKE_BINARY must name the playlake binary');
  tracks = realTracks();
  ({ child: broker, bootstrap } = await startBroker('plays:2'));
  dir = mkdtempSync(join(tmpdir(), 'playlake-live-'));
  execFileSync(binary, ['demo', '--dir', dir, '--no-serve', '--users', '20', '--days', '2'], { stdio: ['ignore', 'ignore', 'inherit'] });
  appendFileSync(join(dir, 'playlake.yml'), `  - name: live\n    format: playlake\n    kafka:\n      brokers: ${bootstrap}\n`
    + '      topics: plays\n      group: live-test\n      properties:\n        fetch.wait.max.ms: 5\n');
  ({ child: server, url } = await startServer(binary, dir));
  browser = await launchBrowser();
});

after(async () => {
  await cleanUp({ browser, server, dir });
  broker?.kill('SIGTERM');
});

test('the live page shows what was produced and follows what is produced next', async () => {
  const plays = produce(0, 240);
  const { page, errors } = await openPage(browser, url, '#/live');
  await expectPageShows(page, plays);
  // More plays while the page is open: drawn without a reload, on the same elements.
  await page.evaluate(() => { document.querySelector('#live').dataset.sameView = 'yes'; });
  plays.push(...produce(240, 150));
  await expectPageShows(page, plays);
  plays.push(...produce(390, 60));
  await expectPageShows(page, plays);
  // Plays of the second the chart has just drawn, arriving within CHART_MS of that
  // drawing and followed by nothing: only the page's trailing draw shows them.
  const second = Math.floor(plays.at(-1).ts / 1000) * 1000 + 1000;
  const inSecond = (n) => second + (n - 450) * 10;
  plays.push(...produce(450, 5, inSecond));
  await drawn(page, plays);
  plays.push(...produce(455, 5, inSecond));
  await expectPageShows(page, plays);
  assert.equal(await page.evaluate(() => document.querySelector('#live').dataset.sameView), 'yes');
  await screenshot(page, screenshots, 'live');
  assert.deepEqual(errors, []);
});
