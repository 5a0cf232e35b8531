// The Live page: what the project's Kafka topic carries now, by event time. The server
// pushes a snapshot as soon as it has read new plays (Server-Sent Events, at most about
// forty a second): no reload, no polling. The page is built once and each snapshot only
// changes its numbers, at most once per frame (the newest snapshot wins). The stream is
// closed at the first snapshot after another page has replaced this one.
//
// After each drawing the view dispatches a `live-drawn` event whose detail holds the
// snapshot's `id` (its position), `last_produced_ms`, `messages_read` and `drawn_ms`
// (the wall clock when the drawing was done): bench/live_latency.sh measures with it.
import { api } from './api.js';
import { card, cellValue, format, lineChart, table, tiles } from './charts.js';

const SERIES_SECONDS = 300;  // the chart's last five minutes
// Within a second the chart is drawn again at most this often (always when a new second
// begins, and the last snapshot is always drawn): redrawing its 300 bars at every
// snapshot held the page's frames back at 50,000 plays a second.
const CHART_MS = 250;

const TILES = [
  ['live_plays_minute', 'Plays, last minute', (s) => format.int(s.plays_per_second.counts.slice(-60).reduce((a, n) => a + n, 0))],
  ['live_listeners', (s) => `Listeners, last ${s.active_listeners.window_seconds / 60} min`, (s) => format.int(s.active_listeners.estimate)],
  ['live_plays', 'Plays seen', (s) => format.int(s.accepted_plays)],
  ['live_late', 'Late plays (apart)', (s) => format.int(s.late_plays)],
  ['live_lag', 'Lag (messages not read)', (s) => (s.lag ? format.int(s.lag.messages) : '–')],
  ['live_now', 'Latest event time', (s) => (s.now_ms ? new Date(s.now_ms).toLocaleTimeString() : '–')],
];

const RANKINGS = [
  ['live-tracks', 'Top tracks', 'top_tracks', 'Track'],
  ['live-artists', 'Top artists', 'top_artists', 'Artist'],
  ['live-countries', 'Plays by country', 'countries', 'Country'],
  ['live-devices', 'Devices', 'devices', 'Device'],
];

// A ranking's row as shown: a track by its name and artist when the plays named it.
const shownAs = (key, row) => (row.name ? [row.name, row.artist].filter(Boolean).join(' — ') : key);

// Writes `rows` into the section's table: in the cells already there when it has as many
// rows (a ranking's counts change at every snapshot, its length seldom), else as a new table.
function refill(section, columns, rows) {
  const body = section.querySelector('tbody');
  if (!body || body.rows.length !== rows.length) {
    section.querySelector('table')?.remove();
    table(section, columns, rows);
    return;
  }
  rows.forEach((row, r) => columns.forEach((c, k) => {
    const text = String(cellValue(c, row));
    const cell = body.rows[r].cells[k];
    if (cell.textContent !== text) cell.textContent = text;
  }));
}

// Builds the page's parts for the first snapshot; returns draw(snapshot, id), which
// updates them in place.
function buildLive(view, first) {
  const label = (l) => (typeof l === 'function' ? l(first) : l);
  tiles(view, TILES.map(([id, l, value]) => ({ id, label: label(l), value: value(first) })));
  const values = new Map(TILES.map(([id]) => [id, view.querySelector(`[data-kpi="${id}"] .value`)]));
  const chart = lineChart(card(view, 'Plays per second, last 5 minutes (event time)', { size: 'wide', id: 'live-series' }), {
    x: [], series: [{ name: 'Plays', data: [], type: 'bar' }],
  });
  const minutes = first.top_tracks.window_seconds / 60;
  const columns = (name) => [
    { key: 'key', label: name, render: shownAs }, { key: 'plays', label: 'Plays', num: true, render: format.int },
  ];
  const sections = RANKINGS.map(([id, title]) => card(view, `${title}, last ${minutes} min`, { id }));
  // What is drawn now: only what changed is drawn again (most snapshots change a few
  // numbers and the last bar).
  let drawnNow = null;
  let chartDrawnAt = -Infinity;
  let chartLater = null;  // the timer that draws the chart's newest snapshot
  const drawChart = (s) => {
    clearTimeout(chartLater);
    chartLater = null;
    chartDrawnAt = performance.now();
    const series = s.plays_per_second.counts.slice(-SERIES_SECONDS);
    if (s.now_ms === drawnNow) {
      chart.setOption({ series: [{ data: series }] });
      return;
    }
    drawnNow = s.now_ms;
    const from = (s.now_ms ?? 0) - (series.length - 1) * 1000;
    chart.setOption({
      xAxis: { data: series.map((_, i) => new Date(from + i * 1000).toLocaleTimeString()) },
      series: [{ data: series }],
    });
  };
  const drawnRows = RANKINGS.map(() => '');
  return (s, id) => {
    for (const [kpi, , value] of TILES) {
      const text = value(s);
      if (values.get(kpi).textContent !== text) values.get(kpi).textContent = text;
    }
    const wait = CHART_MS - (performance.now() - chartDrawnAt);
    if (s.now_ms !== drawnNow || wait <= 0) {
      drawChart(s);
    } else {
      clearTimeout(chartLater);
      chartLater = setTimeout(() => drawChart(s), wait);
    }
    RANKINGS.forEach(([, , field, name], i) => {
      const rows = JSON.stringify(s[field].rows);
      if (rows === drawnRows[i]) return;
      drawnRows[i] = rows;
      refill(sections[i], columns(name), s[field].rows);
    });
    view.dataset.eventId = String(id ?? s.position ?? '');
    view.dispatchEvent(new CustomEvent('live-drawn', {
      detail: { id: s.position, last_produced_ms: s.last_produced_ms, messages_read: s.messages_read, drawn_ms: Date.now() },
    }));
  };
}

export async function live(main) {
  const first = await api('live');
  if (!first.available) {
    const none = card(main, 'Live', { size: 'wide', id: 'live-none' });
    const text = document.createElement('p');
    text.textContent = 'This project has no Kafka source. Add one to playlake.yml (docs/streaming.md) '
      + 'and this page shows its plays as they happen.';
    none.append(text);
    return;
  }
  const view = document.createElement('div');
  view.id = 'live';
  main.append(view);
  const draw = buildLive(view, first);
  draw(first);
  // Snapshots are whole states: only the newest waiting one is drawn, once per frame.
  let waiting = null;
  const drawSoon = (snapshot, id) => {
    const pending = waiting !== null;
    waiting = { snapshot, id };
    if (pending) return;
    requestAnimationFrame(() => {
      const { snapshot: s, id: at } = waiting;
      waiting = null;
      draw(s, at);
    });
  };
  const events = new EventSource('api/live/stream');
  events.addEventListener('snapshot', (e) => {
    if (!view.isConnected) { events.close(); return; }
    drawSoon(JSON.parse(e.data), e.lastEventId);
  });
  // The server no longer holds the events after ours: start again from its snapshot.
  events.addEventListener('reload', async () => drawSoon(await api('live')));
}
