// Small builders for the dashboard's cards, charts and tables. ECharts is a
// global (vendor/echarts.min.js); each chart resizes with its element and is
// disposed of when a new render replaces it.
const AXIS = { axisLine: { lineStyle: { color: '#44546a' } }, axisLabel: { color: '#8b9bb0' }, splitLine: { lineStyle: { color: '#222c38' } } };
const NO_DATA = '#2e3946';  // a country with no plays
const PALETTE = ['#1db954', '#4f9dde', '#f5a623', '#b37feb', '#e5484d', '#36cfc9', '#ff85c0', '#a0d911'];

export const format = {
  int: (n) => Number(n ?? 0).toLocaleString('en-US', { maximumFractionDigits: 0 }),
  num: (n, digits = 1) => Number(n ?? 0).toLocaleString('en-US', { maximumFractionDigits: digits }),
  pct: (n, digits = 1) => (n === null || n === undefined ? '–' : `${Number(n).toFixed(digits)}%`),
};

export function card(parent, title, { size = '', id } = {}) {
  const section = document.createElement('section');
  section.className = `card ${size}`.trim();
  if (id) section.id = id;
  const heading = document.createElement('h2');
  heading.textContent = title;
  section.append(heading);
  parent.append(section);
  return section;
}

// A chart in a new element at the end of `section`; height (px) overrides the CSS one.
export function chartIn(section, option, { className = 'chart', height } = {}) {
  const el = document.createElement('div');
  el.className = className;
  if (height) el.style.height = `${height}px`;
  section.append(el);
  const chart = echarts.init(el, null, { renderer: 'canvas' });
  chart.setOption({ color: PALETTE, textStyle: { color: '#dbe4ee' }, animation: false, ...option });
  // A page render replaces the old charts' elements: dispose of those charts then
  // (a map resized to nothing throws inside ECharts).
  const observer = new ResizeObserver(() => {
    if (el.isConnected) { chart.resize(); return; }
    observer.disconnect();
    chart.dispose();
  });
  observer.observe(el);
  return chart;
}

// series: [{ name, data: [numbers], type?: 'line'|'bar', markPoints?: [{ x, y, name }] }]
export function lineChart(section, { x, series, yName }) {
  return chartIn(section, {
    tooltip: { trigger: 'axis' },
    legend: { top: 0, type: 'scroll', textStyle: { color: '#8b9bb0' } },
    grid: { left: 60, right: 20, top: 40, bottom: 30 },
    xAxis: { type: 'category', data: x, ...AXIS },
    yAxis: { type: 'value', name: yName, ...AXIS },
    series: series.map((s) => ({
      type: s.type ?? 'line', name: s.name, data: s.data, showSymbol: false, smooth: s.smooth ?? false,
      // Dots, not pins with numbers: anomalies come in clusters, and numbered pins overlap.
      markPoint: s.markPoints ? { symbol: 'circle', symbolSize: 9, label: { show: false }, itemStyle: { color: '#e5484d' },
        data: s.markPoints.map((p) => ({ coord: [p.x, p.y], name: p.name, value: p.y })) } : undefined,
    })),
  });
}

// series: [{ name, data, axis?: 'right' }]: a series on the right axis has its own
// scale (listeners beside plays). A horizontal chart grows with its labels.
export function barChart(section, { labels, series, horizontal = false, stack }) {
  // Every category named while they fit (40 two-letter codes, a dozen genres).
  const category = { type: 'category', data: labels, ...AXIS,
    axisLabel: { ...AXIS.axisLabel, interval: labels.length <= 40 ? 0 : 'auto' } };
  const value = { type: 'value', ...AXIS };
  const right = series.some((s) => s.axis === 'right');
  const values = right
    ? [{ ...value, name: series.find((s) => s.axis !== 'right')?.name },
      { ...value, name: series.find((s) => s.axis === 'right').name, splitLine: { show: false } }]
    : value;
  return chartIn(section, {
    tooltip: { trigger: 'axis' },
    legend: { top: 0, type: 'scroll', textStyle: { color: '#8b9bb0' } },
    grid: { left: horizontal ? 10 : 60, right: right ? 60 : 20, top: 40, bottom: 30, containLabel: horizontal },
    xAxis: horizontal ? value : category,
    yAxis: horizontal ? { ...category, inverse: true } : values,
    series: series.map((s) => ({ type: 'bar', name: s.name, data: s.data, stack, yAxisIndex: s.axis === 'right' ? 1 : 0 })),
  }, { height: horizontal ? Math.max(320, 70 + 22 * labels.length) : undefined });
}

export function pieChart(section, { items }) {
  return chartIn(section, {
    tooltip: { trigger: 'item' },
    legend: { bottom: 0, textStyle: { color: '#8b9bb0' } },
    series: [{ type: 'pie', radius: ['40%', '70%'], data: items, label: { color: '#dbe4ee' } }],
  });
}

// cells: [[xIndex, yIndex, value]]; label(value) is the text written in each
// cell (default: none), for a grid small enough to read every number.
export function heatmap(section, { x, y, cells, label }) {
  const max = Math.max(1, ...cells.map((c) => c[2]));
  return chartIn(section, {
    tooltip: {},
    grid: { left: 60, right: 20, top: 20, bottom: 80 },
    xAxis: { type: 'category', data: x, ...AXIS },
    yAxis: { type: 'category', data: y, ...AXIS },
    visualMap: { min: 0, max, calculable: true, orient: 'horizontal', left: 'center', bottom: 0,
      textStyle: { color: '#8b9bb0' }, inRange: { color: ['#15202b', '#1db954'] } },
    series: [{
      type: 'heatmap', data: cells,
      label: label ? { show: true, formatter: ({ value }) => label(value[2]), color: '#f4f8fb',
        textBorderColor: '#0f1419', textBorderWidth: 2, fontSize: 11 } : undefined,
    }],
  });
}

// world.json (made by scripts/build.mjs): one GeoJSON feature per ISO 3166-1 alpha-2
// code, properties { iso, name }. Fetched and registered with ECharts once per page
// load; resolves to a Map from code to country name.
let worldNames;
export function loadWorldMap() {
  worldNames ??= fetch('world.json').then(async (response) => {
    if (!response.ok) throw new Error(`world.json: ${response.status}`);
    const world = await response.json();
    echarts.registerMap('world', world);
    return new Map(world.features.map((f) => [f.properties.iso, f.properties.name]));
  }).catch((error) => { worldNames = undefined; throw error; });
  return worldNames;
}

// A choropleth of the world by country. items: [{ name: alpha-2 code, value, ...fields }];
// countries without an item are grey. tooltipLines(item) gives the lines under the
// country's name; onClick(code) is called for a country that has an item.
export function worldChart(section, { names, items, tooltipLines, onClick }) {
  // ECharts adds a bare { name } to the series' data for every region without an item.
  const hasItem = (data) => data?.value !== undefined;
  const max = Math.max(1, ...items.map((i) => i.value));
  const encode = echarts.format.encodeHTML;
  const chart = chartIn(section, {
    tooltip: {
      trigger: 'item',
      formatter: ({ name, data }) => [`<b>${encode(names.get(name) ?? name)}</b>`,
        ...(hasItem(data) ? tooltipLines(data) : ['No plays']).map(encode)].join('<br>'),
    },
    visualMap: { type: 'continuous', min: 0, max, calculable: false, left: 10, bottom: 10,
      text: [format.int(max), '0'], textStyle: { color: '#8b9bb0' }, inRange: { color: ['#1b4d32', '#1db954', '#c4f5d4'] } },
    series: [{
      type: 'map', map: 'world', nameProperty: 'iso', roam: false, selectedMode: false, data: items,
      left: 10, right: 10, top: 0, bottom: 0,
      itemStyle: { areaColor: NO_DATA, borderColor: '#0f1419', borderWidth: 0.5 },
      emphasis: { label: { show: false }, itemStyle: { areaColor: '#f5a623' } },
    }],
  }, { className: 'chart map' });
  chart.on('click', (params) => { if (hasItem(params.data)) onClick(params.name); });
  return chart;
}

// A run's or a test's status, coloured: green for success, red for failure, amber for a warning.
export function statusCell(value) {
  const span = document.createElement('span');
  span.textContent = value;
  span.className = { success: 'ok', pass: 'ok', ok: 'ok', error: 'fail', fail: 'fail', warn: 'warn', skipped: 'warn' }[value] ?? '';
  return span;
}

// columns: [{ key, label, num?: true, render?: (value, row) => string|Node }]
// What column `c` of a table shows for `row`: its render of the value, else the value; '–'
// when there is none.
export function cellValue(c, row) {
  return (c.render ? c.render(row[c.key], row) : row[c.key]) ?? '–';
}

export function table(section, columns, rows) {
  const tableEl = document.createElement('table');
  const head = tableEl.createTHead().insertRow();
  for (const c of columns) {
    const th = document.createElement('th');
    th.textContent = c.label;
    if (c.num) th.className = 'num';
    head.append(th);
  }
  const body = tableEl.createTBody();
  for (const row of rows) {
    const tr = body.insertRow();
    for (const c of columns) {
      const td = tr.insertCell();
      if (c.num) td.className = 'num';
      const value = cellValue(c, row);
      if (value instanceof Node) td.append(value); else td.textContent = value;
    }
  }
  section.append(tableEl);
  return tableEl;
}

export function tiles(parent, items) {
  const box = document.createElement('div');
  box.className = 'tiles';
  for (const { label, value, id } of items) {
    const tile = document.createElement('div');
    tile.className = 'tile';
    if (id) tile.dataset.kpi = id;
    const l = document.createElement('div');
    l.className = 'label';
    l.textContent = label;
    const v = document.createElement('div');
    v.className = String(value).length > 14 ? 'value long' : 'value';  // words, not a number
    v.textContent = value;
    tile.append(l, v);
    box.append(tile);
  }
  parent.append(box);
  return box;
}
