// Browser tests of the pages built on Spotify exports: one listener's own page
// and the podcasts page. The real `playlake` binary runs a project of the real
// export in ../shared/realdata/spotify_history and the two exports of "ana"
// written for the tests (src/pipeline/testdata/spotify_ana), and serves it;
// Debian's Chromium, driven by playwright-core, loads the pages.
//
// Environment: PLAYLAKE_BINARY, PLAYLAKE_REALDATA (the real data folder),
// SCREENSHOT_DIR (optional: where to write listener.png and podcasts.png).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  apiJson as sharedApiJson, chartSeries, cleanUp, launchBrowser, openPage, screenshot, startServer,
} from './browser.mjs';

const binary = process.env.PLAYLAKE_BINARY;
const realdata = process.env.PLAYLAKE_REALDATA;
const screenshots = process.env.SCREENSHOT_DIR;
const ana = fileURLToPath(new URL('../../src/pipeline/testdata/spotify_ana/', import.meta.url));
let dir, server, browser, baseUrl;

const apiJson = (name, params) => sharedApiJson(baseUrl, name, params);
const open = (hash) => openPage(browser, baseUrl, hash);

before(async () => {
  assert.ok(binary, 'PLAYLAKE_BINARY must name the playlake binary');
  assert.ok(realdata, 'PLAYLAKE_REALDATA must name the real data folder');
  dir = mkdtempSync(join(tmpdir(), 'playlake-listener-'));
  const history = join(realdata, 'spotify_history');
  mkdirSync(join(dir, 'data', 'ana'), { recursive: true });
  for (const name of ['Streaming_History_Audio_2023_0.json', 'Streaming_History_Audio_2023_1.json']) {
    copyFileSync(join(ana, name), join(dir, 'data', 'ana', name));
  }
  writeFileSync(join(dir, 'playlake.yml'), [
    'name: my-spotify', 'sources:',
    '  - name: efrrowini', `    path: ${join(history, 'Streaming_History_*.json')}`, '    user: efrrowini',
    '  - name: ana', '    format: spotify-history', '    path: data/ana', '    user: ana', ''].join('\n'));
  execFileSync(binary, ['run', '--project', dir], { stdio: ['ignore', 'ignore', 'inherit'] });
  ({ child: server, url: baseUrl } = await startServer(binary, dir));
  browser = await launchBrowser();
});

after(() => cleanUp({ browser, server, dir }));

test('the listener page shows the real listener by default, as the API answers', async () => {
  const api = await apiJson('listener');
  assert.equal(api.summary.user_id, 'efrrowini', 'the listener with the most plays');
  assert.ok(api.summary.plays > 1000, `expected the real export's plays, got ${api.summary.plays}`);
  const { page, errors } = await open('#/listener');
  assert.equal((await page.textContent('[data-kpi="plays"] .value')).replace(/,/g, ''), String(api.summary.plays));
  assert.equal(await page.textContent('[data-kpi="streak"] .value'), `${api.summary.longest_streak_days} days`);
  const [music, spoken] = await chartSeries(page, '#months');
  assert.deepEqual(music, api.months.map((m) => m.music_hours));
  assert.deepEqual(spoken, api.months.map((m) => m.spoken_hours));
  const [clock] = await chartSeries(page, '#clock');
  assert.equal(clock.reduce((a, b) => a + b, 0), api.summary.plays, 'the clock holds every play');
  assert.equal(await page.locator('#top-artists tbody tr').count(), new Set(api.top_artists.map((r) => r.year)).size);
  await screenshot(page, screenshots, 'listener');
  assert.deepEqual(errors, []);
  await page.close();
});

test('a listener picked on the Listeners page gets their own page', async () => {
  const { page, errors } = await open('#/listeners');
  await page.click('#top-listeners a:text-is("ana")');
  await page.waitForFunction(() => location.hash === '#/listener?user=ana');
  await page.waitForSelector('main[data-state="ready"] #top-shows');
  // ana's exports, by construction: five music plays, two skipped, on 1-2 March and 5-6 April.
  assert.equal(await page.textContent('[data-kpi="plays"] .value'), '5');
  assert.equal(await page.textContent('[data-kpi="skips"] .value'), '2 (40.0%)');
  assert.equal(await page.textContent('[data-kpi="streak"] .value'), '2 days');
  assert.match(await page.textContent('#streak-dates'), /2023-03-01 to 2023-03-02/);
  assert.equal(await page.inputValue('select[name="user"]'), 'ana');
  assert.deepEqual(await page.locator('#top-shows tbody tr:first-child td').allTextContents(),
    ['2023', 'Mythical Monsters (1.17 h)', 'Morning News (0.25 h)', 'Pride and Prejudice (0.17 h)', '–', '–']);
  const [newArtists] = await chartSeries(page, '#discoveries');
  assert.deepEqual(newArtists, [2, 1]);
  // The date filter keeps the listener.
  await page.fill('input[name="from"]', '2023-04-01');
  await page.dispatchEvent('input[name="from"]', 'change');
  await page.waitForFunction(() => location.hash.includes('user=ana') && location.hash.includes('from=2023-04-01'));
  await page.waitForFunction(() => document.querySelector('main[data-state="ready"] [data-kpi="plays"] .value')?.textContent === '2');
  assert.deepEqual(errors, []);
  await page.close();
});

test('the podcasts page shows time by kind and the top shows', async () => {
  const api = await apiJson('shows');
  assert.deepEqual(api.kinds.map((k) => k.kind).sort(), ['audiobook', 'music', 'podcast']);
  const { page, errors } = await open('#/podcasts');
  assert.equal(await page.locator('#shows tbody tr').count(), api.shows.length);
  assert.equal(await page.textContent('#shows tbody tr:first-child td:first-child'), 'Mythical Monsters');
  assert.equal(await page.textContent('[data-kpi="podcast"] .value'),
    api.kinds.find((k) => k.kind === 'podcast').listening_hours.toLocaleString('en-US', { maximumFractionDigits: 1 }));
  await screenshot(page, screenshots, 'podcasts');
  assert.deepEqual(errors, []);
  await page.close();
});
