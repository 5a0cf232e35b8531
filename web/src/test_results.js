// The Pipeline page's data tests: what needs a look first (failures, errors,
// warnings, skipped tests), then the passing tests folded into one entry per
// model, which opens to list them.
import { card, format, statusCell, table } from './charts.js';

// Order of the rows that need a look; any other status but pass comes after them.
const FIRST = ['fail', 'error', 'warn', 'skipped'];
const rank = (status) => (FIRST.includes(status) ? FIRST.indexOf(status) : FIRST.length);
// A test's name without its project's prefix (playlake.unique_fct_plays_play_id).
const shortName = (name) => name.replace(/^[^.]+\./, '');
const SEVERAL = 'tests of several models';

// One model's passing tests: its name and count, opening to list them.
function folded(model, tests) {
  const details = document.createElement('details');
  details.className = 'folded';
  details.dataset.model = model;
  details.dataset.count = tests.length;
  const summary = document.createElement('summary');
  const name = document.createElement('span');
  name.textContent = model;
  const count = document.createElement('span');
  count.className = 'ok';
  count.textContent = `${format.int(tests.length)} passed`;
  summary.append(name, ' ', count);
  const list = document.createElement('ul');
  for (const t of tests) {
    const item = document.createElement('li');
    item.textContent = shortName(t.name);
    list.append(item);
  }
  details.append(summary, list);
  return details;
}

// tests: [{ name, model, status, failures }] as /api/pipeline gives them.
export function testsCard(main, tests) {
  const section = card(main, 'Data tests', { size: 'wide', id: 'tests' });
  const passed = tests.filter((t) => t.status === 'pass');
  const problems = tests.filter((t) => t.status !== 'pass').sort((a, b) => rank(a.status) - rank(b.status)
    || (b.failures ?? 0) - (a.failures ?? 0) || a.name.localeCompare(b.name));
  const count = (...statuses) => format.int(tests.filter((t) => statuses.includes(t.status)).length);
  const note = document.createElement('p');
  note.className = 'note';
  note.id = 'tests-summary';
  note.textContent = tests.length === 0
    ? 'No test results yet: they appear after the first playlake run or playlake build.'
    : `${format.int(tests.length)} tests: ${format.int(passed.length)} passed, ${count('fail', 'error')} failed, `
      + `${count('warn')} warned, ${count('skipped')} skipped.`;
  section.append(note);
  if (problems.length > 0) {
    table(section, [
      { key: 'model', label: 'Model', render: (m) => m ?? SEVERAL }, { key: 'name', label: 'Test', render: shortName },
      { key: 'status', label: 'Status', render: statusCell },
      { key: 'failures', label: 'Failing rows', num: true, render: format.int },
    ], problems);
  }
  if (passed.length === 0) return section;
  const byModel = new Map();
  for (const t of passed) byModel.set(t.model ?? SEVERAL, [...(byModel.get(t.model ?? SEVERAL) ?? []), t]);
  const heading = document.createElement('p');
  heading.className = 'note';
  heading.textContent = `Passed, by model (${format.int(byModel.size)}): open one to list its tests.`;
  const passes = document.createElement('div');
  passes.className = 'passes';
  passes.append(...[...byModel].sort(([a], [b]) => a.localeCompare(b)).map(([model, group]) => folded(model, group)));
  section.append(heading, passes);
  return section;
}
