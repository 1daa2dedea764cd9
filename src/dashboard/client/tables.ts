/** The page's tables: runs (with selection), notices, end-of-run test metrics and hyperparameters side by side. */
import type { RunData, RunSummary } from '../run-types.js';
import { flattenParams, formatDuration, formatNumber, metricGroup } from './series.js';

/** Create an element with text and an optional class. */
export function el(tag: string, text = '', className = ''): HTMLElement {
  const e = document.createElement(tag);
  if (text !== '') e.textContent = text;
  if (className !== '') e.className = className;
  return e;
}

function swatch(color: string): HTMLElement {
  const s = el('span', '', 'swatch');
  s.style.background = color;
  return s;
}

/** Short label of a run (`exp/version_0`). */
export function runLabel(s: RunSummary): string {
  return s.name === '' ? s.version : `${s.name}/${s.version}`;
}

/** Fill the runs table; `onToggle` is called when a run's checkbox changes. */
export function renderRunsTable(
  body: HTMLElement,
  runs: readonly RunSummary[],
  selected: ReadonlySet<string>,
  colorOf: (id: string) => string,
  onToggle: (id: string, isSelected: boolean) => void,
): void {
  body.replaceChildren(
    ...runs.map((s) => {
      const tr = el('tr');
      tr.dataset.run = s.id;
      const box = document.createElement('input');
      box.type = 'checkbox';
      box.checked = selected.has(s.id);
      box.title = 'overlay this run on the charts';
      box.addEventListener('change', () => onToggle(s.id, box.checked));
      const name = el('td');
      name.append(swatch(colorOf(s.id)), runLabel(s));
      if (s.source === 'csv') name.append(el('span', ' (csv)', 'muted'));
      const status = el('td');
      status.append(el('span', s.status, `status ${s.status}`));
      const best = s.bestCheckpoint;
      const ckpt = el('td', best?.path?.split(/[\\/]/).pop() ?? '—');
      if (best?.path !== null && best?.path !== undefined) ckpt.title = best.path;
      const score = best === null || best.score === null ? '—' : `${best.monitor ?? 'score'} = ${formatNumber(best.score)}`;
      const first = el('td');
      first.append(box);
      tr.append(
        first,
        name,
        status,
        el('td', s.startTime === null ? '—' : new Date(s.startTime).toLocaleString()),
        el('td', formatDuration(s.durationMs), 'num'),
        el('td', String(s.records), 'num'),
        ckpt,
        el('td', score),
      );
      return tr;
    }),
  );
}

/** List every run's notices (skipped lines, incomplete last lines); hide the section when there are none. */
export function renderNotices(section: HTMLElement, runs: readonly RunSummary[]): void {
  const items = runs.flatMap((s) => s.notices.map((n) => el('li', `${runLabel(s)}: ${n}`)));
  section.hidden = items.length === 0;
  section.querySelector('ul')?.replaceChildren(...items);
}

/** The end-of-run test metrics: one row per run, one column per test metric (last value logged). */
export function renderTestTable(section: HTMLElement, runs: readonly RunData[], colorOf: (id: string) => string): void {
  const names = [...new Set(runs.flatMap((r) => Object.keys(r.series).filter((n) => metricGroup(n) === 'test')))].sort();
  const withTests = runs.filter((r) => names.some((n) => r.series[n] !== undefined));
  section.hidden = withTests.length === 0;
  const head = el('tr');
  head.append(el('th', 'run'), ...names.map((n) => el('th', n)));
  section.querySelector('thead')?.replaceChildren(head);
  section.querySelector('tbody')?.replaceChildren(
    ...withTests.map((r) => {
      const tr = el('tr');
      const name = el('td');
      name.append(swatch(colorOf(r.summary.id)), runLabel(r.summary));
      tr.append(name, ...names.map((n) => el('td', formatNumber(lastValue(r, n)), 'num')));
      return tr;
    }),
  );
}

function lastValue(run: RunData, name: string): number | null {
  const values = run.series[name]?.value ?? [];
  for (let i = values.length - 1; i >= 0; i--) if (values[i] !== null && values[i] !== undefined) return values[i] ?? null;
  return null;
}

/** Hyperparameters side by side: one column per run, rows whose values differ between runs highlighted. */
export function renderHparamsTable(section: HTMLElement, runs: readonly RunData[], colorOf: (id: string) => string): void {
  const flat = runs.map((r) => flattenParams(r.hparams));
  const keys = [...new Set(flat.flatMap((f) => Object.keys(f)))].sort();
  section.hidden = keys.length === 0;
  const head = el('tr');
  head.append(
    el('th', 'hyperparameter'),
    ...runs.map((r) => {
      const th = el('th');
      th.append(swatch(colorOf(r.summary.id)), runLabel(r.summary));
      return th;
    }),
  );
  section.querySelector('thead')?.replaceChildren(head);
  section.querySelector('tbody')?.replaceChildren(
    ...keys.map((k) => {
      const values = flat.map((f) => f[k] ?? '—');
      const differs = new Set(values).size > 1;
      const tr = el('tr');
      tr.append(el('td', k), ...values.map((v) => el('td', v, differs ? 'diff' : '')));
      return tr;
    }),
  );
}
