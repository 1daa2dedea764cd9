/** The dashboard page: loads runs, follows the server's events and redraws tables and charts (state in `window.__dashboard`). */
import type { PointsEvent, ResetEvent, RunData, RunSummary } from '../run-types.js';
import { MetricChart, type ChartSettings, type RunCurve } from './charts.js';
import { metricGroup, sortGroups, toCurve, type XAxis } from './series.js';
import { el, renderHparamsTable, renderNotices, renderRunsTable, renderTestTable, runLabel } from './tables.js';

/** What tests and curious users can read off the page. */
interface DashboardState {
  /** The first load finished. */
  ready: boolean;
  /** Ids of the listed runs. */
  runs: string[];
  /** Ids of the runs overlaid on the charts. */
  selected: string[];
  /** Drawn points per metric and run. */
  points: Record<string, Record<string, number>>;
  /** Lines drawn per metric. */
  lines: Record<string, number>;
  /** Server-sent events received. */
  events: number;
  /** Renders done. */
  renders: number;
  /** Errors met by the page. */
  errors: string[];
}

declare global {
  interface Window {
    __dashboard: DashboardState;
  }
}

const PALETTE = ['#0969da', '#cf222e', '#1a7f37', '#8250df', '#bc4c00', '#1b7c83', '#bf3989', '#6e7781', '#953800', '#4d2d00'];

const summaries = new Map<string, RunSummary>();
const loaded = new Map<string, RunData>();
const queued = new Map<string, PointsEvent[]>();
const selected = new Set<string>();
const deselected = new Set<string>();
const colors = new Map<string, string>();
const charts = new Map<string, MetricChart>();
const settings: ChartSettings = { xAxis: 'step', smoothing: 0, isLogScale: false };
let filter = '';
let renderPending = false;
let hasHello = false;
const exposed: DashboardState = { ready: false, runs: [], selected: [], points: {}, lines: {}, events: 0, renders: 0, errors: [] };
window.__dashboard = exposed;

function byId<T extends HTMLElement>(id: string): T {
  return document.getElementById(id) as T;
}

function colorOf(id: string): string {
  let c = colors.get(id);
  if (c === undefined) {
    c = PALETTE[colors.size % PALETTE.length] ?? '#000000';
    colors.set(id, c);
  }
  return c;
}

function fail(message: string): void {
  exposed.errors.push(message);
  console.error(message);
}

async function loadRun(id: string): Promise<void> {
  queued.set(id, []);
  try {
    const res = await fetch(`/api/run?id=${encodeURIComponent(id)}`);
    if (!res.ok) throw new Error(`${res.status} ${await res.text()}`);
    const data = (await res.json()) as RunData;
    const pending = queued.get(id) ?? [];
    queued.delete(id);
    loaded.set(id, data);
    for (const ev of pending) applyPoints(ev);
  } catch (e) {
    queued.delete(id);
    fail(`could not load run ${id}: ${(e as Error).message}`);
  } finally {
    scheduleRender();
  }
}

/** Append points, skipping those already held; a gap means events were missed, so the run is reloaded. */
function applyPoints(ev: PointsEvent): void {
  const pending = queued.get(ev.run);
  if (pending !== undefined) return void pending.push(ev);
  const data = loaded.get(ev.run);
  if (data === undefined) return;
  for (const [name, add] of Object.entries(ev.series)) {
    const s = (data.series[name] ??= { step: [], epoch: [], value: [] });
    if (add.offset > s.step.length) return void loadRun(ev.run);
    const skip = s.step.length - add.offset;
    s.step.push(...add.step.slice(skip));
    s.epoch.push(...add.epoch.slice(skip));
    s.value.push(...add.value.slice(skip));
  }
}

function setRuns(list: readonly RunSummary[]): void {
  const ids = new Set(list.map((s) => s.id));
  for (const id of [...summaries.keys()]) if (!ids.has(id)) summaries.delete(id);
  for (const s of list) setSummary(s);
  for (const id of [...loaded.keys()]) if (!ids.has(id)) loaded.delete(id);
  for (const id of [...selected]) if (!ids.has(id)) selected.delete(id);
}

function setSummary(s: RunSummary): void {
  summaries.set(s.id, s);
  colorOf(s.id);
  if (!selected.has(s.id) && !deselected.has(s.id)) selected.add(s.id);
  if (selected.has(s.id) && !loaded.has(s.id) && !queued.has(s.id)) void loadRun(s.id);
  const data = loaded.get(s.id);
  if (data !== undefined) data.summary = s;
}

function scheduleRender(): void {
  if (renderPending) return;
  renderPending = true;
  requestAnimationFrame(() => {
    renderPending = false;
    try {
      render();
    } catch (e) {
      fail(`render failed: ${(e as Error).message}`);
    }
  });
}

function render(): void {
  const runs = [...summaries.values()].sort((a, b) => a.id.localeCompare(b.id, 'en', { numeric: true }));
  renderRunsTable(byId('runs').querySelector('tbody') as HTMLElement, runs, selected, colorOf, (id, isOn) => {
    if (isOn) {
      selected.add(id);
      deselected.delete(id);
    } else {
      selected.delete(id);
      deselected.add(id);
    }
    setSummary(summaries.get(id) as RunSummary);
    scheduleRender();
  });
  byId('no-runs').hidden = runs.length > 0;
  renderNotices(byId('notices'), runs);
  const shown = runs.filter((s) => selected.has(s.id)).map((s) => loaded.get(s.id)).filter((d): d is RunData => d !== undefined);
  renderCharts(shown);
  renderTestTable(byId('test-section'), shown, colorOf);
  renderHparamsTable(byId('hparams-section'), shown, colorOf);
  exposed.runs = runs.map((s) => s.id);
  exposed.selected = [...selected];
  exposed.points = Object.fromEntries([...charts].map(([m, c]) => [m, c.pointCounts()]));
  exposed.lines = Object.fromEntries([...charts].map(([m, c]) => [m, c.lineCount()]));
  exposed.renders += 1;
  exposed.ready = hasHello && queued.size === 0;
}

function renderCharts(shown: readonly RunData[]): void {
  const names = [...new Set(shown.flatMap((r) => Object.keys(r.series)))].filter((n) => metricGroup(n) !== 'test' && n.includes(filter));
  for (const [name, chart] of charts) {
    if (names.includes(name)) continue;
    chart.destroy();
    charts.delete(name);
  }
  const root = byId('charts');
  const sections = sortGroups(names.map(metricGroup)).map((group) => {
    const section = el('section');
    const grid = el('div', '', 'chart-grid');
    section.append(el('h3', group), grid);
    for (const name of names.filter((n) => metricGroup(n) === group).sort()) {
      let chart = charts.get(name);
      if (chart === undefined) {
        chart = new MetricChart(name);
        charts.set(name, chart);
      }
      grid.append(chart.element);
    }
    return section;
  });
  root.replaceChildren(...sections);
  for (const name of names) {
    const curves: RunCurve[] = shown
      .filter((r) => r.series[name] !== undefined)
      .map((r) => ({ id: r.summary.id, label: runLabel(r.summary), color: colorOf(r.summary.id), curve: toCurve(r.series[name] as RunData['series'][string], settings.xAxis) }));
    charts.get(name)?.update(curves, settings);
  }
}

function connect(): void {
  const live = byId('live');
  const source = new EventSource('/api/events');
  const on = <T>(event: string, fn: (data: T) => void): void =>
    source.addEventListener(event, (e) => {
      exposed.events += 1;
      fn(JSON.parse((e as MessageEvent<string>).data) as T);
      scheduleRender();
    });
  on<{ logDir: string; runs: RunSummary[] }>('hello', (d) => {
    byId('logdir').textContent = d.logDir;
    loaded.clear();
    setRuns(d.runs);
    live.textContent = 'live';
    live.className = 'live on';
    hasHello = true;
  });
  on<RunSummary[]>('runs', setRuns);
  on<RunSummary>('summary', setSummary);
  on<PointsEvent>('points', applyPoints);
  on<ResetEvent>('reset', (d) => {
    loaded.delete(d.run);
    if (selected.has(d.run)) void loadRun(d.run);
  });
  source.onerror = () => {
    live.textContent = 'reconnecting…';
    live.className = 'live off';
  };
}

function bindControls(): void {
  const xAxis = byId<HTMLSelectElement>('x-axis');
  const smoothing = byId<HTMLInputElement>('smoothing');
  const logScale = byId<HTMLInputElement>('log-scale');
  const search = byId<HTMLInputElement>('filter');
  xAxis.addEventListener('change', () => ((settings.xAxis = xAxis.value as XAxis), scheduleRender()));
  smoothing.addEventListener('input', () => {
    settings.smoothing = Number(smoothing.value);
    byId('smoothing-value').textContent = smoothing.value;
    scheduleRender();
  });
  logScale.addEventListener('change', () => ((settings.isLogScale = logScale.checked), scheduleRender()));
  search.addEventListener('input', () => ((filter = search.value.trim()), scheduleRender()));
}

window.addEventListener('error', (e) => fail(e.message));
bindControls();
connect();
