// One entry per dashboard page: its title in the menu and how it renders.
// Each render(main, filters, { setFilters }) fetches its API endpoint with the URL's
// filters; setFilters({ name: value }) changes them (an empty value clears one).
import { api } from './api.js';
import {
  barChart, card, format, heatmap, lineChart, loadWorldMap, pieChart, statusCell, table, tiles, worldChart,
} from './charts.js';
import { lineageCard } from './lineage.js';
import { live } from './live.js';
import { testsCard } from './test_results.js';

const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
const HOURS = Array.from({ length: 24 }, (_, h) => String(h).padStart(2, '0'));

function movement(change, row) {
  const span = document.createElement('span');
  if (row.is_new_entry) { span.textContent = 'new'; span.className = 'up'; }
  else if (change > 0) { span.textContent = `▲ ${change}`; span.className = 'up'; }
  else if (change < 0) { span.textContent = `▼ ${-change}`; span.className = 'down'; }
  else span.textContent = '–';
  return span;
}

async function overview(main, filters) {
  const [data, names] = await Promise.all([api('overview', filters), loadWorldMap().catch(() => new Map())]);
  const k = data.kpis;
  const region = k.top_region?.region_name ?? k.top_region?.region;
  const country = names.get(k.top_region?.country) ?? k.top_region?.country;
  const top = k.top_region ? `${region ? `${region}, ` : ''}${country}` : '–';
  const totalPlays = data.device_split.reduce((sum, d) => sum + d.plays, 0) || 1;
  const split = data.device_split.slice(0, 3).map((d) => `${d.device} ${Math.round((100 * d.plays) / totalPlays)}%`).join(' · ');
  tiles(main, [
    { id: 'plays', label: 'Plays', value: format.int(k.plays) },
    { id: 'listeners', label: 'Unique listeners', value: format.int(k.listeners) },
    { id: 'hours', label: 'Listening hours', value: format.int(k.listening_hours) },
    { id: 'top_region', label: 'Top region', value: top },
    { id: 'device_split', label: 'Device split', value: split || '–' },
  ]);
  lineChart(card(main, 'Plays per day, with 7-day average', { size: 'wide', id: 'daily' }), {
    x: data.daily.map((d) => d.date),
    series: [
      { name: 'Plays', data: data.daily.map((d) => d.plays), type: 'bar' },
      { name: '7-day average', data: data.daily.map((d) => d.plays_7d_avg), smooth: true },
    ],
  });
  const anomalies = data.hourly.filter((h) => h.is_anomaly);
  lineChart(card(main, `Plays per hour (all listeners), ${anomalies.length} anomalies outside ±2σ marked`, { size: 'wide', id: 'hourly' }), {
    x: data.hourly.map((h) => h.hour),
    series: [
      { name: 'Plays', data: data.hourly.map((h) => h.plays), markPoints: anomalies.map((h) => ({ x: h.hour, y: h.plays, name: `z=${h.z_score}` })) },
      { name: 'Expected', data: data.hourly.map((h) => h.expected_plays) },
    ],
  });
}

async function trending(main, filters) {
  const data = await api('trending', filters);
  const asOf = data.trending[0]?.as_of_date ?? '';
  const now = card(main, `Trending now (7 days to ${asOf} vs the 7 before, all listeners)`, { id: 'trending' });
  table(now, [
    { key: 'rank', label: '#', num: true }, { key: 'track_name', label: 'Track' }, { key: 'artist_name', label: 'Artist' },
    { key: 'plays_recent', label: 'Plays 7d', num: true, render: format.int },
    { key: 'growth_pct', label: 'Growth', num: true, render: (v) => (v === null ? 'new' : format.pct(v)) },
  ], data.trending);
  barChart(card(main, 'Top tracks in the selected range', { id: 'top-tracks' }), {
    labels: data.top_tracks.map((t) => `${t.track_name} — ${t.artist_name}`),
    series: [{ name: 'Plays', data: data.top_tracks.map((t) => t.plays) }], horizontal: true,
  });
  ranksPer(card(main, 'Top 5 tracks per day (plays)', { size: 'wide', id: 'top-daily' }), data.top_daily, {
    key: 'date', title: 'Day', cell: (t) => `${t.track_name} — ${t.artist_name} (${format.int(t.plays)})`,
  });
}

async function artists(main, filters) {
  const data = await api('artists', filters);
  const week = data.ranking[0]?.week_start ?? '';
  table(card(main, `Artist ranking, week of ${week} (all listeners)`, { id: 'ranking' }), [
    { key: 'rank', label: '#', num: true }, { key: 'artist_name', label: 'Artist' }, { key: 'genre', label: 'Genre' },
    { key: 'plays', label: 'Plays', num: true, render: format.int },
    { key: 'rank_change', label: 'Move', num: true, render: movement },
  ], data.ranking);
  // Twenty lines would tangle: the seven biggest genres of the latest week; the title says the rest's share.
  const weeks = [...new Set(data.genres.map((g) => g.week_start))];
  const share = (genre, week) => data.genres.find((g) => g.genre === genre && g.week_start === week)?.plays_share_pct ?? 0;
  const latest = weeks[weeks.length - 1];
  const genres = [...new Set(data.genres.map((g) => g.genre))].sort((a, b) => share(b, latest) - share(a, latest));
  const [top, rest] = [genres.slice(0, 7), genres.slice(7)];
  const restShare = rest.reduce((sum, g) => sum + share(g, latest), 0);
  const others = rest.length ? `; the other ${rest.length}: ${format.pct(restShare)} last week` : '';
  lineChart(card(main, `Share of plays per week (%), top ${top.length} genres${others}`, { id: 'genres' }), {
    x: weeks, series: top.map((genre) => ({ name: genre, data: weeks.map((w) => share(genre, w)) })),
  });
  const featuresCard = card(main, 'Median audio features by genre', { size: 'wide', id: 'features' });
  if (data.audio_features.length === 0) {
    // "Not available for this app" only when the lake recorded Spotify's refusal
    // (apps created after 27 November 2024 and development-mode apps get 403).
    const access = data.audio_features_access;
    const note = document.createElement('p');
    note.className = 'note';
    note.textContent = access.allowed === false
      ? `Audio features are not available for this app: Spotify refused them (HTTP ${access.http_status}) `
        + `on ${access.checked_on}. Spotify refuses them to apps created after `
        + '27 November 2024 and to development-mode apps (see docs/spotify.md).'
      : 'No catalog track has audio features.';
    featuresCard.append(note);
    return;
  }
  const features = [...new Set(data.audio_features.map((f) => f.feature))].filter((f) => f !== 'tempo' && f !== 'loudness');
  const featureGenres = [...new Set(data.audio_features.map((f) => f.genre))];
  barChart(featuresCard, {
    labels: featureGenres,
    series: features.map((feature) => ({
      name: feature,
      data: featureGenres.map((g) => data.audio_features.find((f) => f.genre === g && f.feature === feature)?.median ?? null),
    })),
  });
}

async function geography(main, filters, { setFilters }) {
  const [data, names] = await Promise.all([api('geography', filters), loadWorldMap()]);
  const countryName = (code) => names.get(code) ?? code;
  // A region's ISO 3166-2 name from gold, its code on hover (the code when ISO lists no name).
  const regionCell = (name, row) => {
    const span = document.createElement('span');
    span.textContent = name ?? row.region ?? '–';
    if (row.region) span.title = `${row.country}-${row.region}`;
    return span;
  };
  const map = card(main, 'Plays by country: click one to filter, again to clear', { size: 'wide', id: 'world' });
  worldChart(map, {
    names,
    items: data.countries.map((c) => ({ name: c.country, value: c.plays, listeners: c.listeners })),
    tooltipLines: (c) => [`Plays: ${format.int(c.value)}`, `Listeners: ${format.int(c.listeners)}`],
    onClick: (code) => setFilters({ country: filters.country === code ? '' : code }),
  });
  const offMap = data.countries.filter((c) => !names.has(c.country));
  if (offMap.length > 0) {
    const note = document.createElement('p');
    note.className = 'note';
    note.textContent = `Not on the map: ${offMap.map((c) => `${c.country} (${format.int(c.plays)} plays)`).join(', ')}`;
    map.append(note);
  }
  barChart(card(main, 'Plays by country', { size: 'wide', id: 'countries' }), {
    labels: data.countries.map((c) => c.country),
    series: [{ name: 'Plays', data: data.countries.map((c) => c.plays) },
      { name: 'Listeners', data: data.countries.map((c) => c.listeners), axis: 'right' }],
  });
  table(card(main, 'Top regions', { id: 'regions' }), [
    { key: 'country', label: 'Country', render: countryName }, { key: 'region_name', label: 'Region', render: regionCell },
    { key: 'plays', label: 'Plays', num: true, render: format.int }, { key: 'listeners', label: 'Listeners', num: true, render: format.int },
  ], data.regions);
  table(card(main, 'Top cities', { id: 'cities' }), [
    { key: 'country', label: 'Country', render: countryName }, { key: 'city', label: 'City' },
    { key: 'plays', label: 'Plays', num: true, render: format.int }, { key: 'listening_hours', label: 'Hours', num: true, render: format.int },
  ], data.cities);
}

async function devices(main, filters) {
  const data = await api('devices', filters);
  const byDevice = new Map();
  for (const d of data.devices) byDevice.set(d.device, (byDevice.get(d.device) ?? 0) + d.plays);
  pieChart(card(main, 'Plays by device', { id: 'device-split' }), {
    items: [...byDevice].map(([name, value]) => ({ name, value })),
  });
  table(card(main, 'Devices and platforms', { id: 'platforms' }), [
    { key: 'device', label: 'Device' }, { key: 'platform', label: 'Platform' },
    { key: 'plays', label: 'Plays', num: true, render: format.int },
    { key: 'skip_rate_pct', label: 'Skip rate', num: true, render: (v) => format.pct(v) },
    { key: 'avg_seconds', label: 'Avg s', num: true },
  ], data.devices);
  heatmap(card(main, 'Plays by weekday and local hour', { size: 'wide', id: 'heatmap' }), {
    x: HOURS, y: WEEKDAYS, cells: data.heatmap.map((c) => [c.hour, c.weekday - 1, c.plays]),
  });
}

async function listeners(main, filters) {
  const data = await api('listeners', filters);
  table(card(main, 'Free and paid', { id: 'levels' }), [
    { key: 'level', label: 'Level' }, { key: 'listeners', label: 'Listeners', num: true, render: format.int },
    { key: 'plays', label: 'Plays', num: true, render: format.int }, { key: 'sessions', label: 'Sessions', num: true, render: format.int },
    { key: 'listening_hours', label: 'Hours', num: true, render: format.int },
    { key: 'skip_rate_pct', label: 'Skip rate', num: true, render: (v) => format.pct(v) },
  ], data.by_level);
  tiles(card(main, 'Level changes (all listeners)', { id: 'changes' }), [
    { id: 'upgrades', label: 'Upgrades', value: format.int(data.level_changes.upgrades) },
    { id: 'downgrades', label: 'Downgrades', value: format.int(data.level_changes.downgrades) },
  ]);
  table(card(main, 'Most active listeners (all time): pick one for their own page', { id: 'top-listeners' }), [
    { key: 'user_id', label: 'Listener', render: (user) => listenerLink(user) },
    { key: 'plays', label: 'Plays', num: true, render: format.int },
    { key: 'listening_hours', label: 'Hours', num: true, render: format.int },
  ], data.top_listeners);
  const cohorts = [...new Set(data.retention.map((r) => r.cohort_week))];
  const weeks = [...new Set(data.retention.map((r) => r.week))].sort((a, b) => a - b);
  heatmap(card(main, 'Weekly retention by first-play cohort (%)', { size: 'wide', id: 'retention' }), {
    x: weeks.map((w) => `week ${w}`), y: cohorts, label: (pct) => format.num(pct, 1),
    cells: data.retention.map((r) => [weeks.indexOf(r.week), cohorts.indexOf(r.cohort_week), r.retention_pct]),
  });
}

// The URL of one listener's page, keeping the other filters of the current view.
function listenerHref(user) {
  const params = new URLSearchParams(location.hash.split('?')[1] ?? '');
  params.set('user', user);
  return `#/listener?${params}`;
}

function listenerLink(user) {
  const link = document.createElement('a');
  link.href = listenerHref(user);
  link.textContent = user;
  return link;
}

// Ranked rows as one line per group (a day, a year), in the rows' order: a
// table of every rank would be long. rows: [{ [key], rank, ... }]; cell(row) is
// what a rank's cell says.
function ranksPer(section, rows, { key, title, ranks = 5, cell }) {
  const groups = [...new Set(rows.map((r) => r[key]))];
  table(section, [
    { key, label: title },
    ...Array.from({ length: ranks }, (_, i) => ({ key: i + 1, label: `#${i + 1}` })),
  ], groups.map((group) => {
    const row = { [key]: group };
    for (const r of rows.filter((x) => x[key] === group)) row[r.rank] = cell(r);
    return row;
  }));
}

// Top five per year, newest first, with the hours listened.
function perYear(section, rows, label) {
  ranksPer(section, rows, { key: 'year', title: 'Year', cell: (r) => `${label(r)} (${format.num(r.hours, 2)} h)` });
}

async function listener(main, filters) {
  const user = new URLSearchParams(location.hash.split('?')[1] ?? '').get('user') ?? '';
  const data = await api('listener', user ? { ...filters, user } : filters);
  const s = data.summary;
  const picker = card(main, 'Listener', { id: 'picker' });
  const select = document.createElement('select');
  select.name = 'user';
  for (const l of data.listeners) select.add(new Option(`${l.user_id} (${format.int(l.plays)} plays)`, l.user_id));
  if (!data.listeners.some((l) => l.user_id === s.user_id)) select.add(new Option(s.user_id, s.user_id));
  select.value = s.user_id;
  select.addEventListener('change', () => { location.hash = listenerHref(select.value); });
  picker.append(select);
  const streak = s.longest_streak_days ? `${s.longest_streak_days} days` : '–';
  tiles(main, [
    { id: 'plays', label: 'Plays', value: format.int(s.plays) },
    { id: 'hours', label: 'Listening hours', value: format.num(s.listening_hours) },
    { id: 'artists', label: 'Artists', value: format.int(s.artists) },
    { id: 'skips', label: 'Skips', value: `${format.int(s.skips)} (${format.pct(s.skip_rate_pct)})` },
    { id: 'streak', label: 'Longest daily streak', value: streak },
  ]);
  if (s.longest_streak_days) {
    const note = document.createElement('p');
    note.className = 'note';
    note.id = 'streak-dates';
    note.textContent = `Longest streak: ${s.streak_from} to ${s.streak_to}, on ${format.int(s.active_days)} days with plays in all.`;
    main.querySelector('.tiles').after(note);
  }
  const months = data.months.map((m) => m.month);
  barChart(card(main, 'Hours per month', { size: 'wide', id: 'months' }), {
    labels: months, stack: 'hours',
    series: [
      { name: 'Music', data: data.months.map((m) => m.music_hours) },
      { name: 'Podcasts & audiobooks', data: data.months.map((m) => m.spoken_hours) },
    ],
  });
  lineChart(card(main, 'New artists discovered and skips per month', { id: 'discoveries' }), {
    x: months,
    series: [
      { name: 'New artists', data: data.months.map((m) => m.new_artists), type: 'bar' },
      { name: 'Skips', data: data.months.map((m) => m.skips) },
    ],
  });
  barChart(card(main, 'Listening clock: plays per local hour', { id: 'clock' }), {
    labels: HOURS, series: [{ name: 'Plays', data: HOURS.map((h) => data.clock.find((c) => c.hour === Number(h))?.plays ?? 0) }],
  });
  perYear(card(main, 'Top artists per year', { size: 'wide', id: 'top-artists' }), data.top_artists, (r) => r.artist_name);
  perYear(card(main, 'Top tracks per year', { size: 'wide', id: 'top-tracks' }), data.top_tracks, (r) => `${r.track_name} — ${r.artist_name}`);
  perYear(card(main, 'Top shows per year (podcasts and audiobooks)', { size: 'wide', id: 'top-shows' }), data.top_shows, (r) => r.show_name);
  table(card(main, 'Most skipped tracks', { size: 'wide', id: 'most-skipped' }), [
    { key: 'track_name', label: 'Track' }, { key: 'artist_name', label: 'Artist' },
    { key: 'skips', label: 'Skips', num: true, render: format.int }, { key: 'plays', label: 'Plays', num: true, render: format.int },
  ], data.most_skipped);
}

async function podcasts(main, filters) {
  const data = await api('shows', filters);
  tiles(main, data.kinds.map((k) => ({ id: k.kind, label: `${k.kind[0].toUpperCase()}${k.kind.slice(1)} hours`, value: format.num(k.listening_hours) })));
  const days = [...new Set(data.daily.map((d) => d.date))];
  const kinds = data.kinds.map((k) => k.kind);
  lineChart(card(main, 'Listening hours per day by kind', { size: 'wide', id: 'kinds' }), {
    x: days,
    series: kinds.map((kind) => ({
      name: kind, type: 'bar', data: days.map((day) => data.daily.find((d) => d.date === day && d.kind === kind)?.listening_hours ?? 0),
    })),
  });
  table(card(main, 'Top shows and audiobooks', { size: 'wide', id: 'shows' }), [
    { key: 'show_name', label: 'Show' }, { key: 'kind', label: 'Kind' },
    { key: 'listening_hours', label: 'Hours', num: true, render: (v) => format.num(v, 2) },
    { key: 'plays', label: 'Plays', num: true, render: format.int },
    { key: 'listeners', label: 'Listeners', num: true, render: format.int },
    { key: 'episodes', label: 'Episodes', num: true, render: format.int },
    { key: 'skip_rate_pct', label: 'Skip rate', num: true, render: (v) => format.pct(v) },
  ], data.shows);
}

// What inputs held beyond their format's contract: unknown fields (a field
// seen for the first time is flagged), unknown values, approximate time zones.
function driftCard(main, rows) {
  const drift = card(main, 'Input drift', { size: 'wide', id: 'drift' });
  const fresh = rows.filter((r) => r.first_seen);
  const note = document.createElement('p');
  note.className = 'note';
  note.textContent = rows.length === 0
    ? 'No drift: every input held only the fields and values its format defines.'
    : fresh.length > 0
      ? `Warning: new field(s) never seen before: ${fresh.map((r) => `${r.name} (${r.source})`).join(', ')}. They are kept in bronze, not read into silver.`
      : 'Fields and values outside the contract of their format (kept in bronze, not read into silver).';
  drift.append(note);
  if (rows.length === 0) return;
  table(drift, [
    { key: 'committed_at', label: 'Committed' }, { key: 'source', label: 'Source' },
    { key: 'file', label: 'File' }, { key: 'kind', label: 'Kind' },
    { key: 'name', label: 'Name', render: (v, r) => (r.first_seen ? `${v} (new)` : v) },
    { key: 'count', label: 'Rows', num: true, render: format.int },
    { key: 'examples', label: 'Examples' },
  ], rows);
}

// The Stream panel (only for a project with a Kafka source): how far the lake is behind the
// topic, from the lake's commits and the brokers' high watermarks (docs/streaming.md).
function streamCard(main, s) {
  if (!s.available) return;
  const view = card(main, `Stream: source ${s.source} (${s.topics.join(', ')})`, { size: 'wide', id: 'stream' });
  tiles(view, [
    { id: 'stream_lag', label: 'Lag (messages not in the lake)', value: s.lag === null ? 'unknown' : format.int(s.lag) },
    { id: 'stream_rate', label: `Events landed per second, last ${s.window_seconds} s`, value: format.num(s.events_per_second, 1) },
    { id: 'stream_last_commit', label: 'Last commit', value: s.last_commit_at ?? 'none yet' },
  ]);
  if (!s.brokers.answered) {
    const note = document.createElement('p');
    note.className = 'note';
    note.id = 'stream-brokers';
    note.textContent = `Warning: ${s.brokers.error}. The lake's figures hold; the lag is unknown until they answer.`;
    view.append(note);
  }
  const orDash = (v) => (v === null ? '–' : format.int(v));
  table(view, [
    { key: 'topic', label: 'Topic' }, { key: 'partition', label: 'Partition', num: true },
    { key: 'committed_offset', label: 'In the lake to', num: true, render: format.int },
    { key: 'end_offset', label: 'On the brokers to', num: true, render: orDash },
    { key: 'lag', label: 'Lag', num: true, render: orDash },
    { key: 'landed_events', label: 'Events landed', num: true, render: format.int },
    { key: 'last_commit_at', label: 'Last commit', render: (v) => v ?? '–' },
  ], s.partitions);
}

async function pipeline(main) {
  const [data, stream] = await Promise.all([api('pipeline'), api('stream')]);
  streamCard(main, stream);
  const runs = card(main, 'Runs', { size: 'wide', id: 'runs' });
  const schedule = document.createElement('p');
  schedule.className = 'note';
  schedule.id = 'schedule';
  schedule.textContent = data.schedule
    ? `Scheduled at '${data.schedule.cron}' (UTC): next run at ${data.schedule.next_run_at}.`
    : 'No schedule: runs start when someone runs playlake run (schedule.cron in playlake.yml sets one).';
  runs.append(schedule);
  table(runs, [
    { key: 'run_id', label: 'Run' }, { key: 'started_at', label: 'Started' },
    { key: 'status', label: 'Status', render: statusCell },
    { key: 'duration_s', label: 'Seconds', num: true, render: (v) => format.num(v, 2) },
    { key: 'steps', label: 'Steps' },
  ], data.runs);
  table(card(main, 'Freshness', { id: 'freshness' }), [
    { key: 'table', label: 'Table' }, { key: 'rows', label: 'Rows', num: true, render: format.int },
    { key: 'newest_event', label: 'Newest event' }, { key: 'updated_at', label: 'Updated' },
  ], data.freshness);
  table(card(main, 'Quarantine by reason', { id: 'quarantine' }), [
    { key: 'reason', label: 'Reason' }, { key: 'source_format', label: 'Format' },
    { key: 'records', label: 'Records', num: true, render: format.int },
  ], data.quarantine);
  driftCard(main, data.drift || []);
  testsCard(main, data.tests);
  lineageCard(main, data.lineage);
}

export const pages = {
  overview: { title: 'Overview', render: overview },
  trending: { title: 'Trending', render: trending },
  artists: { title: 'Artists & genres', render: artists },
  geography: { title: 'Geography', render: geography },
  devices: { title: 'Devices & time', render: devices },
  listeners: { title: 'Listeners', render: listeners },
  listener: { title: 'Listener', render: listener },
  podcasts: { title: 'Podcasts', render: podcasts },
  // These two ignore the filters, so the filter bar is hidden on them.
  pipeline: { title: 'Pipeline', render: pipeline, filtered: false },
  live: { title: 'Live', render: live, filtered: false },
};
