// Browser tests of the Pipeline page: runs, data tests (what needs a look first,
// passes folded per model) and the lineage (columns by layer, search). The real
// `playlake` binary builds a small project and serves it; Debian's Chromium,
// driven by playwright-core, reads the page.
//
// Environment: PLAYLAKE_BINARY (the binary under test).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { apiJson as sharedApiJson, cleanUp, openPage, startDemo } from './browser.mjs';

const binary = process.env.PLAYLAKE_BINARY;
const shippedModels = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'models');
// Layers from left to right, as /api/pipeline names them (snapshots sit with staging).
const LAYER_ORDER = { silver: 0, staging: 1, snapshot: 1, intermediate: 2, core: 3, mart: 4 };
let dir, server, browser, baseUrl;

const apiJson = (name, params) => sharedApiJson(baseUrl, name, params);
const open = (hash) => openPage(browser, baseUrl, hash);

// The lineage nodes the chart draws: [{ id, name, x, y }] (its two invisible corners left out).
async function drawnNodes(page) {
  return page.evaluate(() => {
    const chart = window.echarts.getInstanceByDom(document.querySelector('#lineage .chart'));
    const data = chart.getModel().getSeriesByIndex(0).getData();
    const nodes = [];
    for (let i = 0; i < data.count(); i++) {
      const item = data.getRawDataItem(i);
      if (item.id.startsWith('corner-')) continue;
      const [x, y] = data.getItemLayout(i);
      nodes.push({ id: item.id, name: item.name, x, y });
    }
    return nodes;
  });
}

// The ids of the nodes whose name holds `query`, with all their ancestors and descendants.
function expectedMatches({ nodes, edges }, query) {
  const matches = nodes.filter((n) => n.name.includes(query)).map((n) => n.id);
  const keep = new Set(matches);
  for (const [from, to] of [[0, 1], [1, 0]]) {  // downstream, then upstream, each from the matches
    const reached = new Set(matches);
    let grew = true;
    while (grew) {
      grew = false;
      for (const edge of edges) {
        if (reached.has(edge[from]) && !reached.has(edge[to])) { reached.add(edge[to]); grew = true; }
      }
    }
    for (const id of reached) keep.add(id);
  }
  return [...keep].sort();
}

before(async () => {
  ({ dir, server, url: baseUrl, browser } = await startDemo(binary, ['--users', '150', '--days', '14', '--seed', '5']));
});

after(() => cleanUp({ browser, server, dir }));

test('all tests passing: one fold per model, with its count', async () => {
  const api = await apiJson('pipeline');
  assert.ok(api.tests.length > 50, `expected the shipped data tests, got ${api.tests.length}`);
  assert.ok(api.tests.every((t) => t.status === 'pass'), 'the demo passes its tests');
  const { page } = await open('#/pipeline');
  assert.equal(await page.textContent('#runs tbody tr:first-child td:first-child'), api.runs[0].run_id);
  assert.equal(await page.textContent('#runs tbody tr:first-child td:nth-child(3)'), api.runs[0].status);
  const perModel = {};
  for (const t of api.tests) {
    const model = t.model ?? 'tests of several models';
    perModel[model] = (perModel[model] ?? 0) + 1;
  }
  assert.equal(await page.locator('#tests table').count(), 0, 'no table of failures when all pass');
  const folds = await page.locator('#tests .folded').evaluateAll((els) => els.map((el) =>
    [el.dataset.model, el.querySelector('summary').textContent, Number(el.dataset.count)]));
  assert.deepEqual(folds, Object.keys(perModel).sort().map((m) => [m, `${m} ${perModel[m]} passed`, perModel[m]]));
  assert.ok(perModel.fct_plays >= 3, 'fct_plays carries several tests');
  assert.match(await page.textContent('#tests-summary'), new RegExp(`^${api.tests.length} tests: ${api.tests.length} passed, 0 failed, 0 warned`));
  // A fold opens to list its tests.
  const fct = page.locator('#tests .folded[data-model="fct_plays"]');
  await fct.locator('summary').click();
  const listed = await fct.locator('li').allTextContents();
  assert.deepEqual(listed.sort(), api.tests.filter((t) => t.model === 'fct_plays').map((t) => t.name.replace(/^playlake\./, '')).sort());
  await page.close();
});

test('a failing and a warning test come first, above the folded passes', async () => {
  // The shipped project plus one singular test that fails on real rows (not every
  // play is on a phone), and a tolerance that makes the warn-severity test warn.
  const models = join(dir, 'models-with-a-failure');
  cpSync(shippedModels, models, { recursive: true });
  writeFileSync(join(models, 'tests', 'assert_every_play_is_on_mobile.sql'),
    "select play_id from {{ ref('fct_plays') }} where device <> 'mobile'\n");
  const run = spawnSync(binary, ['test', '--project', dir, '--models', models, '--vars', '{duration_tolerance_ms: -100000000}'],
    { encoding: 'utf8' });
  assert.equal(run.status, 7, `playlake test should fail: ${run.stderr}`);
  try {
    const api = await apiJson('pipeline');
    const failed = api.tests.filter((t) => t.status !== 'pass');
    assert.deepEqual(failed.map((t) => [t.name, t.model, t.status]).sort(), [
      ['playlake.assert_every_play_is_on_mobile', 'fct_plays', 'fail'],
      ['playlake.assert_ms_played_within_duration', 'fct_plays', 'warn'],
    ]);
    const { page } = await open('#/pipeline');
    const rows = await page.locator('#tests tbody tr').evaluateAll((trs) => trs.map((tr) =>
      [...tr.cells].map((td) => td.textContent)));
    const fail = failed.find((t) => t.status === 'fail');
    const warn = failed.find((t) => t.status === 'warn');
    assert.ok(fail.failures > 0 && warn.failures > 0);
    assert.deepEqual(rows, [
      ['fct_plays', 'assert_every_play_is_on_mobile', 'fail', fail.failures.toLocaleString('en-US')],
      ['fct_plays', 'assert_ms_played_within_duration', 'warn', warn.failures.toLocaleString('en-US')],
    ]);
    const folded = await page.locator('#tests .folded').evaluateAll((els) => els.map((el) => Number(el.dataset.count)));
    assert.equal(folded.reduce((a, b) => a + b, 0), api.tests.length - 2, 'every passing test is in a fold');
    assert.ok(await page.evaluate(() => Boolean(document.querySelector('#tests table')
      .compareDocumentPosition(document.querySelector('#tests .passes')) & Node.DOCUMENT_POSITION_FOLLOWING)),
    'the failures come before the passes');
    assert.match(await page.textContent('#tests-summary'), /1 failed, 1 warned/);
    await page.close();
  } finally {
    const restore = spawnSync(binary, ['test', '--project', dir], { encoding: 'utf8' });
    assert.equal(restore.status, 0, restore.stderr);
  }
});

test('the lineage runs left to right by layer, and its search keeps a model\'s lineage', async () => {
  const { lineage } = await apiJson('pipeline');
  const layer = new Map(lineage.nodes.map((n) => [n.id, n.layer]));
  const { page, errors } = await open('#/pipeline');
  const nodes = await drawnNodes(page);
  assert.deepEqual(nodes.map((n) => n.id).sort(), lineage.nodes.map((n) => n.id).sort());
  const x = new Map(nodes.map((n) => [n.id, n.x]));
  // Every layer's nodes stand left of the next layer's.
  for (const a of nodes) {
    for (const b of nodes) {
      if (LAYER_ORDER[layer.get(a.id)] < LAYER_ORDER[layer.get(b.id)]) {
        assert.ok(a.x < b.x, `${a.name} (${layer.get(a.id)}) is not left of ${b.name} (${layer.get(b.id)})`);
      }
    }
  }
  // In a layer, a model built on another of its layer stands right of it (the
  // project also builds intermediate models on fct_plays: those edges point back).
  for (const [from, to] of lineage.edges) {
    if (LAYER_ORDER[layer.get(from)] === LAYER_ORDER[layer.get(to)]) assert.ok(x.get(from) < x.get(to), `${from} -> ${to}`);
  }
  // Nodes of a column do not sit on each other.
  const spots = new Set(nodes.map((n) => `${Math.round(n.x)},${Math.round(n.y)}`));
  assert.equal(spots.size, nodes.length, 'two nodes share a spot');
  const headers = await page.evaluate(() => window.echarts.getInstanceByDom(document.querySelector('#lineage .chart'))
    .getOption().graphic[0].elements.map((e) => e.style.text));
  assert.deepEqual(headers, ['Sources', 'Staging', 'Intermediate', 'Core marts', 'Marts']);

  await page.fill('#lineage input[type="search"]', 'dim_regions');
  const expected = expectedMatches(lineage, 'dim_regions');
  await page.waitForFunction((n) => {
    const chart = window.echarts.getInstanceByDom(document.querySelector('#lineage .chart'));
    return chart.getOption().series[0].data.length === n + 2;
  }, expected.length);
  const shown = (await drawnNodes(page)).map((n) => n.id).sort();
  assert.deepEqual(shown, expected);
  const names = new Map(lineage.nodes.map((n) => [n.id, n.name]));
  for (const name of ['silver.plays', 'stg_plays', 'fct_plays', 'dim_regions', 'agg_listener_days', 'regional_trends']) {
    assert.ok(shown.some((id) => names.get(id) === name || id.endsWith(`.${name}`)), `${name} is in dim_regions' lineage`);
  }
  assert.ok(shown.length < lineage.nodes.length / 2, `${shown.length} of ${lineage.nodes.length} nodes kept`);
  assert.match(await page.textContent('#lineage-note'), new RegExp(`^${expected.length} of ${lineage.nodes.length} nodes`));
  await page.fill('#lineage input[type="search"]', '');
  await page.waitForFunction((n) => window.echarts.getInstanceByDom(document.querySelector('#lineage .chart'))
    .getOption().series[0].data.length === n + 2, lineage.nodes.length);
  assert.deepEqual(errors, []);
  await page.close();
});
