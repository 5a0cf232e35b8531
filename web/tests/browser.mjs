// Helpers shared by the browser tests: a real `playlake serve`, Debian's
// Chromium driven by playwright-core, and reading what a page drew.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

// Starts `binary serve --project project --port 0`; resolves to { child, url }
// once it printed its URL (20 s at most).
export async function startServer(binary, project) {
  const child = spawn(binary, ['serve', '--project', project, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; });
  const url = await new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`playlake serve did not print its URL in 20 s: ${stderr}`)), 20000);
    child.stdout.on('data', (d) => {
      out += d;
      const match = out.match(/Dashboard: (http:\/\/\S+)/);
      if (match) { clearTimeout(timer); resolve(match[1]); }
    });
    child.on('exit', (code) => reject(new Error(`playlake serve exited with ${code}: ${stderr}`)));
  });
  // A server that dies under a test (not stopped by cleanUp's SIGTERM) says why.
  child.on('exit', (code, signal) => {
    if (!child.stopping) console.error(`playlake serve exited (${code ?? signal}) during the tests: ${stderr}`);
  });
  return { child, url };
}

// `binary demo` with `demoFlags` (users, days, seed) into a new temporary folder, then
// `binary serve` on it and a browser; resolves to { dir, server, url, browser }, which
// cleanUp takes down.
export async function startDemo(binary, demoFlags) {
  assert.ok(binary, 'PLAYLAKE_BINARY must name the playlake binary');
  const dir = mkdtempSync(join(tmpdir(), 'playlake-web-'));
  execFileSync(binary, ['demo', '--dir', dir, '--no-serve', ...demoFlags], { stdio: ['ignore', 'ignore', 'inherit'] });
  const { child: server, url } = await startServer(binary, dir);
  return { dir, server, url, browser: await launchBrowser() };
}

// Closes the browser, stops the server and removes the project folder (each may be unset).
export async function cleanUp({ browser, server, dir }) {
  await browser?.close();
  if (server) {
    server.stopping = true;
    server.kill('SIGTERM');
  }
  if (dir) rmSync(dir, { recursive: true, force: true });
}

export function launchBrowser() {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--no-first-run', '--disable-quic', '--disable-sync'],
  });
}

// GET api/NAME from the server at `baseUrl`; asserts a 200 and returns the JSON.
export async function apiJson(baseUrl, name, params = {}) {
  const query = new URLSearchParams(params).toString();
  const response = await fetch(`${baseUrl}api/${name}${query ? `?${query}` : ''}`);
  assert.equal(response.status, 200, `${name}: ${await response.clone().text()}`);
  return response.json();
}

// Opens a dashboard URL and waits until the page says it rendered; collects console errors.
export async function openPage(browser, baseUrl, hash) {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  const errors = [];
  page.on('console', (message) => { if (message.type() === 'error') errors.push(message.text()); });
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(`${baseUrl}${hash}`);
  await page.waitForSelector('main[data-state="ready"], main[data-state="error"]', { timeout: 20000 });
  const state = await page.getAttribute('main', 'data-state');
  const message = state === 'error' ? await page.textContent('main') : '';
  assert.equal(state, 'ready', `${hash}: ${message}`);
  return { page, errors };
}

// Writes a full-page PNG of `page` as DIR/NAME.png when DIR (SCREENSHOT_DIR) is set.
export async function screenshot(page, dir, name) {
  if (!dir) return;
  mkdirSync(dir, { recursive: true });
  await page.waitForTimeout(300);
  await page.screenshot({ path: join(dir, `${name}.png`), fullPage: true });
}

// The data an ECharts chart inside `selector` is drawing, per series.
export async function chartSeries(page, selector) {
  return page.evaluate((sel) => {
    const chart = window.echarts.getInstanceByDom(document.querySelector(`${sel} .chart`));
    return chart.getOption().series.map((s) => s.data.map((d) => (typeof d === 'object' && d !== null ? d.value : d)));
  }, selector);
}

// The label drawn on each data item of the first series of the chart inside
// `selector`, in data order (null for an item without one).
export async function itemLabels(page, selector) {
  return page.evaluate((sel) => {
    const chart = window.echarts.getInstanceByDom(document.querySelector(`${sel} .chart`));
    const data = chart.getModel().getSeriesByIndex(0).getData();
    return Array.from({ length: data.count() }, (_, i) => {
      const label = data.getItemGraphicEl(i)?.getTextContent();
      return label && !label.ignore ? String(label.style.text) : null;
    });
  }, selector);
}
