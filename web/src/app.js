// The dashboard shell: routing, filters that live in the URL, and the API client.
// A view is fully described by its URL (#/page?from=…&to=…&country=…), so it can be shared.
import { api } from './api.js';
import { loadWorldMap } from './charts.js';
import { pages } from './pages.js';

const FILTER_NAMES = ['from', 'to', 'country', 'device', 'level'];
const form = document.getElementById('filters');
const main = document.getElementById('page');
const status = document.getElementById('status');
let renderCount = 0;

function parseRoute(hash = location.hash) {
  const [path, query = ''] = hash.replace(/^#\/?/, '').split('?');
  const name = pages[path] ? path : 'overview';
  const params = new URLSearchParams(query);
  const filters = {};
  for (const key of FILTER_NAMES) if (params.get(key)) filters[key] = params.get(key);
  return { name, filters };
}

function routeUrl(name, filters) {
  const query = new URLSearchParams(filters).toString();
  return `#/${name}${query ? `?${query}` : ''}`;
}

function renderNav(active) {
  const nav = document.getElementById('nav');
  const { filters } = parseRoute();
  nav.replaceChildren(...Object.entries(pages).map(([name, page]) => {
    const link = document.createElement('a');
    link.href = routeUrl(name, filters);
    link.textContent = page.title;
    link.dataset.page = name;
    if (name === active) link.classList.add('active');
    return link;
  }));
}

// Lets a page change filters (e.g. a click on the map): merges `changes` into the
// current filters, drops empty values, and navigates, which renders the page again.
function setFilters(name, filters, changes) {
  const next = {};
  for (const [key, value] of Object.entries({ ...filters, ...changes })) if (value) next[key] = value;
  location.hash = routeUrl(name, next);
}

async function fillFilterOptions() {
  // Countries by name (from the map's data); a code the map does not know stays a code.
  const [options, names] = await Promise.all([api('filters'), loadWorldMap().catch(() => new Map())]);
  const fill = (name, values, label = (v) => v) => {
    const select = form.elements[name];
    for (const value of values) select.add(new Option(label(value), value));
  };
  const countryName = (code) => names.get(code) ?? code;
  fill('country', [...options.countries].sort((a, b) => countryName(a).localeCompare(countryName(b))), countryName);
  fill('device', options.devices);
  fill('level', options.levels);
  form.elements.from.min = form.elements.to.min = options.min_date ?? '';
  form.elements.from.max = form.elements.to.max = options.max_date ?? '';
}

function showFilters(filters) {
  for (const name of FILTER_NAMES) form.elements[name].value = filters[name] ?? '';
}

async function render() {
  const { name, filters } = parseRoute();
  const thisRender = ++renderCount;
  renderNav(name);
  showFilters(filters);
  form.hidden = pages[name].filtered === false;
  document.title = `${pages[name].title} · Playlake`;
  main.replaceChildren();
  main.dataset.page = name;
  main.dataset.state = 'loading';
  try {
    await pages[name].render(main, filters, { setFilters: (changes) => setFilters(name, filters, changes) });
    if (thisRender !== renderCount) return;
    main.dataset.state = 'ready';
    status.textContent = `Updated ${new Date().toLocaleTimeString()}`;
  } catch (error) {
    if (thisRender !== renderCount) return;
    main.dataset.state = 'error';
    const box = document.createElement('p');
    box.className = 'error';
    box.textContent = `Could not load this page: ${error.message}`;
    main.replaceChildren(box);
  }
}

form.addEventListener('change', () => {
  const filters = {};
  for (const name of FILTER_NAMES) if (form.elements[name].value) filters[name] = form.elements[name].value;
  // The listener page keeps its listener when the filters change.
  const user = new URLSearchParams(location.hash.split('?')[1] ?? '').get('user');
  if (user && parseRoute().name === 'listener') filters.user = user;
  location.hash = routeUrl(parseRoute().name, filters);
});
form.addEventListener('reset', (event) => {
  event.preventDefault();
  location.hash = routeUrl(parseRoute().name, {});
});
window.addEventListener('hashchange', render);

const tokenInHash = new URLSearchParams(location.hash.split('?')[1] ?? '').get('token');
if (tokenInHash) sessionStorage.setItem('playlake-token', tokenInHash);

fillFilterOptions().catch((error) => { status.textContent = error.message; }).finally(render);
