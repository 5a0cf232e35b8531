// The world map that scripts/build.mjs makes for the Geography page, from the
// pinned world-atlas, topojson-client and i18n-iso-countries.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { worldMap } from '../scripts/build.mjs';

const world = worldMap();
const codes = world.features.map((f) => f.properties.iso);
const rings = (f) => (f.geometry.type === 'Polygon' ? [f.geometry.coordinates] : f.geometry.coordinates).flat();

test('one feature per ISO 3166-1 alpha-2 code, with its English name', () => {
  assert.ok(codes.length > 150, `only ${codes.length} countries`);
  assert.equal(new Set(codes).size, codes.length, 'a code appears twice');
  for (const f of world.features) assert.match(f.properties.iso, /^[A-Z]{2}$/);
  const byCode = new Map(world.features.map((f) => [f.properties.iso, f.properties.name]));
  assert.equal(byCode.get('SE'), 'Sweden');
  assert.equal(byCode.get('XK'), 'Kosovo');  // Natural Earth gives it no numeric code
  assert.ok(!byCode.has('AQ'), 'Antarctica is left out');
});

// Ray casting: is [x, y] inside the feature (an odd number of ring edges to its right)?
function contains(feature, [x, y]) {
  let inside = false;
  for (const ring of rings(feature)) {
    for (let i = 1; i < ring.length; i++) {
      const [[x1, y1], [x2, y2]] = [ring[i - 1], ring[i]];
      if ((y1 > y) !== (y2 > y) && x < x1 + ((y - y1) / (y2 - y1)) * (x2 - x1)) inside = !inside;
    }
  }
  return inside;
}

test('territories without an ISO code are merged into their country', () => {
  const feature = (code) => world.features.find((f) => f.properties.iso === code);
  // Inside N. Cyprus (Nicosia's northern half) and Somaliland (Hargeisa).
  assert.ok(contains(feature('CY'), [33.5, 35.25]), 'N. Cyprus is part of CY');
  assert.ok(contains(feature('SO'), [44.06, 9.56]), 'Somaliland is part of SO');
  assert.ok(!contains(feature('SO'), [38.75, 9.0]), 'Addis Ababa is not');
});

test('no ring crosses the antimeridian, so a flat map draws no band across the world', () => {
  for (const f of world.features) {
    for (const ring of rings(f)) {
      assert.ok(ring.length >= 4, `${f.properties.iso}: a ring of ${ring.length} points`);
      assert.deepEqual(ring[0], ring[ring.length - 1], `${f.properties.iso}: an open ring`);
      for (let i = 1; i < ring.length; i++) {
        assert.ok(Math.abs(ring[i][0] - ring[i - 1][0]) <= 180, `${f.properties.iso} jumps at ${ring[i]}`);
        assert.ok(Math.abs(ring[i][0]) <= 180, `${f.properties.iso} leaves the map at ${ring[i]}`);
      }
    }
  }
  // Russia's Chukotka is drawn on the western edge.
  const russia = rings(world.features.find((f) => f.properties.iso === 'RU')).flat();
  assert.ok(russia.some(([x]) => x < -170));
});

test('the map is small enough to fetch on every visit', () => {
  const size = JSON.stringify(world).length;
  assert.ok(size < 200_000, `world.json is ${size} bytes`);
});
