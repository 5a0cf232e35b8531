// Builds the dashboard into OUT_DIR (default ../build/web): our own files from
// src/, ECharts from node_modules, and world.json, the Geography page's map,
// generated from npm packages. Nothing third-party is committed; nothing is
// fetched at run time.
//
// Usage: node scripts/build.mjs [OUT_DIR]   (CMake passes build/<preset>/web)
import { cpSync, mkdirSync, rmSync, existsSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const web = resolve(here, '..');
const require = createRequire(join(web, 'package.json'));

// Natural Earth draws three territories that ISO 3166-1 does not list, so they
// carry no numeric code. Kosovo has the user-assigned XK that data sources use;
// ISO counts the other two as part of Cyprus and Somalia, so they are merged in.
const UNCODED = { Kosovo: 'XK', 'N. Cyprus': 'CY', Somaliland: 'SO' };
// Antarctica: no listeners there, and it would take a sixth of the map's height.
const LEFT_OUT = new Set(['AQ']);

// Rounds to 0.01° (about 1 km, far below what 1:110m resolves) and drops the
// points that rounding makes repeat: 436 kB of GeoJSON become about 160 kB.
function roundRing(ring) {
  const out = [];
  for (const [x, y] of ring) {
    const point = [Math.round(x * 100) / 100, Math.round(y * 100) / 100];
    const last = out[out.length - 1];
    if (!last || last[0] !== point[0] || last[1] !== point[1]) out.push(point);
  }
  return out;
}

// world-atlas is in spherical coordinates: a ring that crosses the antimeridian
// (Russia's Chukotka, Fiji) jumps from 180° to -180°, which a flat map draws as a
// band across the whole world. Such a ring is made continuous (longitudes past
// 180°), then cut at 180° into a western and an eastern ring.
function crossesAntimeridian(ring) {
  return ring.some((point, i) => i > 0 && Math.abs(point[0] - ring[i - 1][0]) > 180);
}

function unwrapRing(ring) {
  let shift = 0;
  const out = ring.map((point, i) => {
    if (i > 0) {
      const step = point[0] - ring[i - 1][0];
      if (step < -180) shift += 360; else if (step > 180) shift -= 360;
    }
    return [point[0] + shift, point[1]];
  });
  return out.some(([x]) => x < -180) ? out.map(([x, y]) => [x + 360, y]) : out;
}

// Sutherland–Hodgman against one half-plane, x ≤ 180 (west) or x ≥ 180 (east).
function clipRing(ring, west) {
  const inside = ([x]) => (west ? x <= 180 : x >= 180);
  const points = ring.slice(0, -1);  // a GeoJSON ring repeats its first point last
  const out = [];
  points.forEach((p, i) => {
    const q = points[(i + 1) % points.length];
    if (inside(p)) out.push(p);
    if (inside(p) !== inside(q)) out.push([180, p[1] + ((180 - p[0]) / (q[0] - p[0])) * (q[1] - p[1])]);
  });
  if (out.length < 3) return null;
  return [...out, out[0]].map(([x, y]) => [west ? x : x - 360, y]);
}

function splitAtAntimeridian(rings) {
  if (!rings.some(crossesAntimeridian)) return [rings];
  const unwrapped = rings.map(unwrapRing);
  return [true, false]
    .map((west) => unwrapped.map((ring) => clipRing(ring, west)).filter(Boolean))
    .filter((half) => half.length > 0);
}

function flatGeometry(geometry) {
  const polygons = geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates;
  const rounded = polygons
    .flatMap(splitAtAntimeridian)
    .map((rings) => rings.map(roundRing).filter((ring) => ring.length >= 4))
    .filter((rings) => rings.length > 0);
  return rounded.length === 1
    ? { type: 'Polygon', coordinates: rounded[0] }
    : { type: 'MultiPolygon', coordinates: rounded };
}

// The world's countries as a GeoJSON FeatureCollection, one feature per ISO 3166-1
// alpha-2 code (the `country` of /api/geography), sorted by code:
// { type: 'Feature', properties: { iso: 'SE', name: 'Sweden' }, geometry }.
// Throws if a geometry has no ISO code and is not one of the known UNCODED, so a
// new world-atlas version cannot silently drop a country.
export function worldMap() {
  const topology = require('world-atlas/countries-110m.json');
  const { feature, merge } = require('topojson-client');
  const countries = require('i18n-iso-countries');
  countries.registerLocale(require('i18n-iso-countries/langs/en.json'));

  const byCode = new Map();
  for (const geometry of topology.objects.countries.geometries) {
    const code = geometry.id ? countries.numericToAlpha2(geometry.id) : UNCODED[geometry.properties.name];
    if (!code) {
      throw new Error(`world-atlas: "${geometry.properties.name}" (id ${geometry.id}) has no ISO 3166-1 alpha-2 code: `
        + 'add it to UNCODED in web/scripts/build.mjs');
    }
    if (LEFT_OUT.has(code)) continue;
    byCode.set(code, [...(byCode.get(code) ?? []), geometry]);
  }
  const features = [...byCode].sort(([a], [b]) => a.localeCompare(b)).map(([code, geometries]) => ({
    type: 'Feature',
    properties: { iso: code, name: countries.getName(code, 'en') ?? code },
    geometry: flatGeometry(geometries.length === 1
      ? feature(topology, geometries[0]).geometry : merge(topology, geometries)),
  }));
  return { type: 'FeatureCollection', features };
}

function build(out) {
  const echarts = join(web, 'node_modules', 'echarts', 'dist', 'echarts.min.js');
  if (!existsSync(echarts)) {
    console.error(`build: ${echarts} is missing: run scripts/setup.sh (it runs npm ci in web/)`);
    process.exit(1);
  }
  let world;
  try {
    world = JSON.stringify(worldMap());
  } catch (error) {
    console.error(`build: cannot make the world map: ${error.message}; `
      + 'if a package is missing, run scripts/setup.sh (it runs npm ci in web/)');
    process.exit(1);
  }
  rmSync(out, { recursive: true, force: true });
  mkdirSync(join(out, 'vendor'), { recursive: true });
  cpSync(join(web, 'src'), out, { recursive: true });
  cpSync(echarts, join(out, 'vendor', 'echarts.min.js'));
  writeFileSync(join(out, 'world.json'), world);
  console.error(`build: dashboard written to ${out}`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  build(resolve(process.argv[2] ?? join(web, '..', 'build', 'web')));
}
