// The Pipeline page's lineage: the model DAG laid out left to right by layer
// (sources → staging → intermediate → core → marts), with a search box that
// keeps the nodes whose name matches, and everything upstream and downstream.
import { card, chartIn, format } from './charts.js';

// Layers from left to right, as /api/pipeline names them. Snapshots read the
// sources, as staging does, so they share its columns.
const LAYERS = [
  { title: 'Sources', layers: ['silver'] },
  { title: 'Staging', layers: ['staging', 'snapshot'] },
  { title: 'Intermediate', layers: ['intermediate'] },
  { title: 'Core marts', layers: ['core'] },
  { title: 'Marts', layers: ['mart'] },
];
// A colour per layer, so a node's layer shows once the search has thinned the columns.
const COLOURS = {
  silver: '#36cfc9', staging: '#b37feb', snapshot: '#8b9bb0', intermediate: '#f5a623', core: '#4f9dde', mart: '#1db954',
};
const COLUMN_WIDTH = 170;  // at most; less when the card is narrow
const LABEL_WIDTH = 160;   // room right of the last column for its names
const ROW_HEIGHT = 24;

function groupOf(layer) {
  const index = LAYERS.findIndex((group) => group.layers.includes(layer));
  return index < 0 ? LAYERS.length - 1 : index;
}

// Column of every node: its layer's first column, plus one per node of the same
// layer it is built on (fct_plays, then the dimensions read from it), so no
// edge runs down a column. Returns { column: Map(id → column), starts: [first column per layer] }.
export function columnsOf(nodes, edges) {
  const parents = new Map(nodes.map((n) => [n.id, []]));
  for (const [from, to] of edges) parents.get(to)?.push(from);
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const depth = new Map();
  const depthOf = (id, seen = new Set()) => {
    if (depth.has(id)) return depth.get(id);
    if (seen.has(id)) return 0;  // a cycle: the runner refuses those, draw it anyway
    seen.add(id);
    const group = groupOf(byId.get(id).layer);
    const same = parents.get(id).filter((p) => byId.has(p) && groupOf(byId.get(p).layer) === group);
    const d = same.length === 0 ? 0 : 1 + Math.max(...same.map((p) => depthOf(p, seen)));
    depth.set(id, d);
    return d;
  };
  const widths = LAYERS.map(() => 0);
  for (const n of nodes) widths[groupOf(n.layer)] = Math.max(widths[groupOf(n.layer)], depthOf(n.id) + 1);
  const starts = [];
  let next = 0;
  for (const width of widths) { starts.push(next); next += width; }
  const column = new Map(nodes.map((n) => [n.id, starts[groupOf(n.layer)] + depth.get(n.id)]));
  return { column, starts, widths };
}

// Node positions: columns by layer; in each column, nodes ordered by the mean
// row of their parents (fewer crossings), then by name, spread over the height.
// `available`: the width in pixels the graph may take, labels included.
function layout(nodes, edges, available) {
  const { column, starts, widths } = columnsOf(nodes, edges);
  const parents = new Map(nodes.map((n) => [n.id, []]));
  for (const [from, to] of edges) if (parents.has(to) && column.has(from)) parents.get(to).push(from);
  const columns = Math.max(0, ...column.values()) + 1;
  const columnWidth = Math.min(COLUMN_WIDTH, (available - LABEL_WIDTH) / Math.max(1, columns - 1));
  const rows = Math.max(1, ...Array.from({ length: columns }, (_, c) => nodes.filter((n) => column.get(n.id) === c).length));
  const height = rows * ROW_HEIGHT;
  const place = new Map();
  for (let c = 0; c < columns; c++) {
    const here = nodes.filter((n) => column.get(n.id) === c).map((n) => {
      const ys = parents.get(n.id).filter((p) => place.has(p)).map((p) => place.get(p).y);
      return { node: n, key: ys.length ? ys.reduce((a, b) => a + b, 0) / ys.length : -1 };
    });
    here.sort((a, b) => a.key - b.key || a.node.name.localeCompare(b.node.name));
    here.forEach(({ node }, i) => place.set(node.id, { x: c * columnWidth, y: ((i + 0.5) * height) / here.length }));
  }
  const headers = LAYERS.map((group, i) => ({ title: group.title, x: starts[i] * columnWidth, width: widths[i] }))
    .filter((h) => h.width > 0);
  return { place, height, width: Math.max(1, columns - 1) * columnWidth, headers };
}

// The nodes to show for `query`: those whose name contains it (any case), with
// their ancestors and descendants; every node for an empty query.
export function lineageMatches(nodes, edges, query) {
  const q = query.trim().toLowerCase();
  if (!q) return new Set(nodes.map((n) => n.id));
  const matches = nodes.filter((n) => n.name.toLowerCase().includes(q)).map((n) => n.id);
  const keep = new Set(matches);
  for (const [direction, other] of [[0, 1], [1, 0]]) {
    const stack = [...matches];
    const seen = new Set(matches);
    while (stack.length) {
      const id = stack.pop();
      for (const edge of edges) {
        if (edge[direction] === id && !seen.has(edge[other])) {
          seen.add(edge[other]);
          keep.add(edge[other]);
          stack.push(edge[other]);
        }
      }
    }
  }
  return keep;
}

function lineageOption(nodes, edges, available) {
  const { place, height, width, headers } = layout(nodes, edges, available);
  const categories = [...new Set(nodes.map((n) => n.layer))];
  return {
    height,
    option: {
      tooltip: { formatter: ({ dataType, data }) => (dataType === 'node' ? `${data.name} (${data.category})` : '') },
      // Headers sit above each layer's first column, in the graph's own coordinates
      // (the series fills the same box, so x maps one to one).
      graphic: headers.map((h) => ({
        type: 'text', left: 20 + h.x - 4, top: 4, silent: true,
        style: { text: h.title, fill: '#8b9bb0', font: '12px "DejaVu Sans", sans-serif' },
      })),
      series: [{
        type: 'graph', layout: 'none', roam: false, left: 20, top: 28, width, height,
        data: [
          ...nodes.map((n) => ({
            id: n.id, name: n.name, category: categories.indexOf(n.layer), symbolSize: 10, ...place.get(n.id),
          })),
          // Two invisible corners fix the graph's box to the layout's, so a graph of
          // one row or one column keeps its scale and the headers stay over their columns.
          ...[[0, 0], [width, height]].map(([x, y], i) => ({
            id: `corner-${i}`, name: '', x, y, symbolSize: 0, silent: true, label: { show: false }, tooltip: { show: false },
          })),
        ],
        links: edges.map(([source, target]) => ({ source, target })),
        categories: categories.map((name) => ({ name, itemStyle: { color: COLOURS[name] ?? '#dbe4ee' } })),
        label: { show: true, position: 'right', color: '#dbe4ee', fontSize: 11 },
        edgeSymbol: ['none', 'arrow'], edgeSymbolSize: 6,
        lineStyle: { color: '#44546a', opacity: 0.7, curveness: 0.1 },
        emphasis: { focus: 'adjacency', lineStyle: { color: '#8b9bb0', width: 2 } },
      }],
    },
  };
}

// The lineage card: a search box and the graph. lineage: { nodes: [{ id, name,
// layer }], edges: [[parent id, child id]] } as /api/pipeline gives them.
export function lineageCard(main, lineage) {
  const section = card(main, 'Lineage: sources → staging → intermediate → marts', { size: 'wide', id: 'lineage' });
  const search = document.createElement('input');
  search.type = 'search';
  search.name = 'lineage-search';
  search.placeholder = 'Find a model, e.g. fct_plays';
  search.setAttribute('aria-label', 'Find a model in the lineage');
  const note = document.createElement('p');
  note.className = 'note';
  note.id = 'lineage-note';
  section.append(search, note);
  const ids = new Set(lineage.nodes.map((n) => n.id));
  const edges = lineage.edges.filter(([from, to]) => ids.has(from) && ids.has(to));
  let chart;
  const show = () => {
    const keep = lineageMatches(lineage.nodes, edges, search.value);
    const nodes = lineage.nodes.filter((n) => keep.has(n.id));
    const shown = edges.filter(([from, to]) => keep.has(from) && keep.has(to));
    const { height, option } = lineageOption(nodes, shown, section.clientWidth - 60);
    const query = search.value.trim();
    note.textContent = query && nodes.length === 0 ? `No node's name holds “${query}”.`
      : query ? `${format.int(nodes.length)} of ${format.int(lineage.nodes.length)} nodes: those whose name holds “${query}”, with everything upstream and downstream.`
      : `${format.int(lineage.nodes.length)} nodes, ${format.int(edges.length)} edges. Hover a node to follow its edges.`;
    if (!chart) {
      chart = chartIn(section, option, { className: 'chart lineage', height: height + 40 });
    } else {
      chart.getDom().style.height = `${height + 40}px`;
      chart.resize();
      chart.setOption(option, { replaceMerge: ['series', 'graphic'] });
    }
  };
  search.addEventListener('input', show);
  show();
  return section;
}
