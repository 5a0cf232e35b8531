// Browser tests: the real `playlake` binary builds a small project and serves it;
// Debian's Chromium, driven by playwright-core, loads every page.
//
// Environment: PLAYLAKE_BINARY (the binary under test), SCREENSHOT_DIR (optional:
// where to write one PNG per page, e.g. docs/screenshots).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  apiJson as sharedApiJson, chartSeries, cleanUp, itemLabels, openPage, screenshot, startDemo,
} from './browser.mjs';

const binary = process.env.PLAYLAKE_BINARY;
const screenshots = process.env.SCREENSHOT_DIR;
const PAGES = ['overview', 'trending', 'artists', 'geography', 'devices', 'listeners', 'pipeline'];
let dir, server, browser, baseUrl;

const apiJson = (name, params) => sharedApiJson(baseUrl, name, params);
const open = (hash) => openPage(browser, baseUrl, hash);

// How the world map on the Geography page fills each country, as drawn:
// { grey, fills: { alpha-2 code: fill colour } }, grey being the no-plays colour.
async function mapFills(page) {
  return page.evaluate(() => {
    const chart = window.echarts.getInstanceByDom(document.querySelector('#world .chart'));
    const series = chart.getModel().getSeriesByIndex(0);
    const data = series.getData();
    const fills = {};
    for (let i = 0; i < data.count(); i++) {
      data.getItemGraphicEl(i).traverse((el) => { if (el.style?.fill) fills[data.getName(i)] = el.style.fill; });
    }
    return { grey: series.get(['itemStyle', 'areaColor']), fills };
  });
}

const coloured = ({ grey, fills }) => Object.keys(fills).filter((code) => fills[code] !== grey).sort();

// Waits until the page has rendered again with a map of `count` countries with plays
// (ECharts lists every region in the series' data; only those with plays have a value).
async function waitForMapCountries(page, count) {
  await page.waitForFunction((n) => {
    const dom = document.querySelector('main[data-state="ready"] #world .chart');
    const data = dom && window.echarts.getInstanceByDom(dom)?.getOption().series[0].data;
    return data?.filter((d) => d.value !== undefined).length === n;
  }, count);
}

// The page coordinates of a point inside `code` on the world map, for a real click.
async function pointInCountry(page, code) {
  return page.evaluate((c) => {
    const dom = document.querySelector('#world .chart');
    const geo = window.echarts.getInstanceByDom(dom).getModel().getSeriesByIndex(0).coordinateSystem;
    const region = geo.getRegion(c);
    const box = region.getBoundingRect();
    const rect = dom.getBoundingClientRect();
    for (let i = 1; i < 40; i++) {
      for (let j = 1; j < 40; j++) {
        const coord = [box.x + (box.width * i) / 40, box.y + (box.height * j) / 40];
        if (region.contain(coord)) {
          const [x, y] = geo.dataToPoint(coord);
          return { x: rect.left + x, y: rect.top + y };
        }
      }
    }
    return null;
  }, code);
}

before(async () => {
  ({ dir, server, url: baseUrl, browser } = await startDemo(binary, ['--users', '400', '--days', '21', '--seed', '11']));
});

after(() => cleanUp({ browser, server, dir }));

for (const name of PAGES) {
  test(`${name} page loads with no console errors`, async () => {
    const { page, errors } = await open(`#/${name}`);
    const cards = await page.locator('main .card, main .tiles').count();
    assert.ok(cards >= 2, `${name} shows ${cards} cards`);
    await screenshot(page, screenshots, name);
    assert.deepEqual(errors, []);
    await page.close();
  });
}

// Their screenshots come from the Spotify exports of listener.test.mjs; here
// they must render on simulated data too, which has no podcasts.
for (const name of ['listener', 'podcasts']) {
  test(`${name} page loads on simulated data with no console errors`, async () => {
    const { page, errors } = await open(`#/${name}`);
    assert.ok(await page.locator('main .card').count() >= 2);
    assert.deepEqual(errors, []);
    await page.close();
  });
}

test('the live page says what it needs when the project has no Kafka source', async () => {
  const { page, errors } = await open('#/live');
  assert.match(await page.textContent('#live-none'), /no Kafka source/);
  // The Live page ignores the filters, so it does not show them; the next page does.
  assert.equal(await page.isVisible('#filters'), false);
  await page.click('nav a[data-page="overview"]');
  await page.waitForSelector('main[data-page="overview"][data-state="ready"]');
  assert.equal(await page.isVisible('#filters'), true);
  assert.deepEqual(errors, []);
  await page.close();
});

test('overview numbers match the API', async () => {
  const api = await apiJson('overview');
  const { page } = await open('#/overview');
  const tile = await page.textContent('[data-kpi="plays"] .value');
  assert.equal(tile.replace(/,/g, ''), String(api.kpis.plays));
  const [plays, average] = await chartSeries(page, '#daily');
  assert.deepEqual(plays, api.daily.map((d) => d.plays));
  assert.deepEqual(average, api.daily.map((d) => d.plays_7d_avg));
  assert.ok(api.kpis.plays > 1000, `expected a real volume of plays, got ${api.kpis.plays}`);
  await page.close();
});

test('filters change the results and live in the URL', async () => {
  const all = await apiJson('overview');
  const filters = await apiJson('filters');
  const country = filters.countries[0];
  const { page } = await open('#/overview');
  await page.selectOption('select[name="country"]', country);
  await page.waitForFunction((c) => location.hash.includes(`country=${c}`), country);
  await page.waitForSelector('main[data-state="ready"]');
  const filtered = await apiJson('overview', { country });
  assert.ok(filtered.kpis.plays < all.kpis.plays, 'one country has fewer plays than all');
  await page.waitForFunction((expected) =>
    document.querySelector('[data-kpi="plays"] .value')?.textContent.replace(/,/g, '') === expected,
  String(filtered.kpis.plays));
  // The URL alone reproduces the view.
  const shared = await open(`#/geography?country=${country}`);
  const rows = await shared.page.locator('#countries .chart').count();
  assert.equal(rows, 1);
  const [countryPlays] = await chartSeries(shared.page, '#countries');
  assert.deepEqual(countryPlays, [filtered.kpis.plays]);
  await shared.page.close();
  await page.close();
});

test('the world map colours every country with plays, and a click filters by it', async () => {
  const all = await apiJson('geography');
  const world = await (await fetch(`${baseUrl}world.json`)).json();
  const names = new Map(world.features.map((f) => [f.properties.iso, f.properties.name]));
  const onMap = all.countries.filter((c) => names.has(c.country));
  assert.ok(onMap.length >= 10, `expected the demo's countries on the map, got ${onMap.map((c) => c.country)}`);

  const { page, errors } = await open('#/geography');
  const before = await mapFills(page);
  assert.equal(Object.keys(before.fills).length, world.features.length, 'every country of world.json is drawn');
  assert.ok(coloured(before).length >= onMap.length,
    `${coloured(before).length} coloured countries for ${onMap.length} in the API`);
  assert.deepEqual(coloured(before), onMap.map((c) => c.country).sort(), 'exactly the countries with plays are coloured');
  const most = onMap[0];
  const least = onMap[onMap.length - 1];
  assert.ok(most.plays > least.plays);
  assert.notEqual(before.fills[most.country], before.fills[least.country], 'the colour follows the plays');

  // A country without plays says so, and a click on it changes nothing (the checks
  // on the chosen country below would fail on a page filtered by it).
  const grey = ['RU', 'CN', 'GL', 'KZ'].find((code) => names.has(code) && !all.countries.some((c) => c.country === code));
  assert.ok(grey, 'a big country without plays');
  const greyPoint = await pointInCountry(page, grey);
  await page.mouse.move(greyPoint.x, greyPoint.y);
  const tooltip = page.locator('#world div', { hasText: names.get(grey) }).last();
  await tooltip.waitFor();
  assert.deepEqual((await tooltip.innerText()).split('\n'), [names.get(grey), 'No plays']);
  await page.mouse.click(greyPoint.x, greyPoint.y);

  // Hover shows the country's numbers; a click sets the country filter in the URL.
  const target = onMap[Math.floor(onMap.length / 2)];
  const point = await pointInCountry(page, target.country);
  assert.ok(point, `no point inside ${target.country} on the map`);
  await page.mouse.move(point.x, point.y);
  const targetTooltip = page.locator('#world div', { hasText: 'Listeners:' }).last();
  await targetTooltip.waitFor();
  assert.deepEqual((await targetTooltip.innerText()).split('\n'), [names.get(target.country),
    `Plays: ${target.plays.toLocaleString('en-US')}`, `Listeners: ${target.listeners.toLocaleString('en-US')}`]);

  await page.mouse.click(point.x, point.y);
  await page.mouse.move(0, 0);  // no hover highlight on the new map
  await page.waitForFunction((c) => location.hash === `#/geography?country=${c}`, target.country);
  const filtered = await apiJson('geography', { country: target.country });
  assert.deepEqual(filtered.countries.map((c) => [c.country, c.plays, c.listeners]),
    [[target.country, target.plays, target.listeners]]);
  await waitForMapCountries(page, 1);
  assert.deepEqual(coloured(await mapFills(page)), [target.country], 'only the chosen country is coloured');
  assert.equal(await page.inputValue('select[name="country"]'), target.country);
  const [plays] = await chartSeries(page, '#countries');
  assert.deepEqual(plays, [target.plays]);
  assert.equal(await page.locator('#regions tbody tr').count(), filtered.regions.length);
  assert.deepEqual(await page.locator('#regions tbody tr td:first-child').allTextContents(),
    filtered.regions.map(() => names.get(target.country)));

  // A second click on the same country clears the filter.
  const again = await pointInCountry(page, target.country);
  await page.mouse.click(again.x, again.y);
  await page.mouse.move(0, 0);
  await page.waitForFunction(() => location.hash === '#/geography');
  await waitForMapCountries(page, all.countries.length);
  assert.deepEqual(coloured(await mapFills(page)), coloured(before));
  assert.deepEqual(errors, []);
  await page.close();
});

test('regions show their ISO 3166-2 names, from gold, and countries their names', async () => {
  const api = await apiJson('geography');
  const world = await (await fetch(`${baseUrl}world.json`)).json();
  const names = new Map(world.features.map((f) => [f.properties.iso, f.properties.name]));
  const tokyo = api.regions.find((r) => r.country === 'JP' && r.region === '13');
  assert.ok(tokyo, `expected Tokyo among the demo's top regions: ${JSON.stringify(api.regions)}`);
  assert.equal(tokyo.region_name, 'Tokyo');
  const { page } = await open('#/geography');
  const rows = await page.locator('#regions tbody tr').evaluateAll((trs) => trs.map((tr) =>
    [...tr.cells].slice(0, 2).map((td) => td.textContent)));
  assert.deepEqual(rows, api.regions.map((r) => [names.get(r.country) ?? r.country, r.region_name ?? r.region ?? '–']));
  assert.ok(rows.some(([country, region]) => country === 'Japan' && region === 'Tokyo'), JSON.stringify(rows));
  // The country filter lists countries by name.
  assert.equal(await page.textContent('select[name="country"] option[value="JP"]'), 'Japan');
  await page.close();

  const overview = await apiJson('overview');
  const top = overview.kpis.top_region;
  assert.ok(top.region_name && top.region_name !== top.region, JSON.stringify(top));
  const tile = await open('#/overview');
  assert.equal(await tile.page.textContent('[data-kpi="top_region"] .value'), `${top.region_name}, ${names.get(top.country)}`);
  await tile.page.close();
});

test('the retention heatmap writes each cell\'s percentage in it', async () => {
  const api = await apiJson('listeners');
  assert.ok(api.retention.length > 5, `expected several cohorts and weeks, got ${api.retention.length} cells`);
  const { page } = await open('#/listeners');
  const drawn = await itemLabels(page, '#retention');
  assert.deepEqual(drawn, api.retention.map((r) => r.retention_pct.toLocaleString('en-US', { maximumFractionDigits: 1 })));
  await page.close();
});

test('a bad filter in the URL shows the API error, not a broken page', async () => {
  const { page } = await (async () => {
    const p = await browser.newPage();
    await p.goto(`${baseUrl}#/overview?country=nowhere`);
    await p.waitForSelector('main[data-state="error"]', { timeout: 20000 });
    return { page: p };
  })();
  assert.match(await page.textContent('main'), /country/);
  await page.close();
});
