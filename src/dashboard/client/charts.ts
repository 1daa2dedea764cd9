/** One uPlot chart per metric, with one line per run (plus a faint raw line when smoothing). */
import uPlot from 'uplot';
import { alignCurves, forLogScale, smoothValues, type Curve, type XAxis } from './series.js';

/** A run's curve for one chart. */
export interface RunCurve {
  /** Run id. */
  id: string;
  /** Legend label. */
  label: string;
  /** Line colour (`#rrggbb`). */
  color: string;
  /** Raw points. */
  curve: Curve;
}

/** How every chart is drawn. */
export interface ChartSettings {
  xAxis: XAxis;
  /** EMA weight in [0, 1). */
  smoothing: number;
  isLogScale: boolean;
}

const HEIGHT = 220;

/** A chart card: title, uPlot canvas; rebuilt when its layout changes, otherwise only given new data. */
export class MetricChart {
  /** The card element. */
  readonly element: HTMLElement;
  private plot: uPlot | null = null;
  private layoutKey = '';
  private seriesRuns: Array<{ runId: string; isRaw: boolean }> = [];
  private readonly body: HTMLElement;
  private readonly resize: ResizeObserver;

  constructor(readonly metric: string) {
    this.element = document.createElement('div');
    this.element.className = 'chart';
    this.element.dataset.metric = metric;
    const title = document.createElement('div');
    title.className = 'title';
    title.textContent = metric;
    this.body = document.createElement('div');
    this.element.append(title, this.body);
    this.resize = new ResizeObserver(() => this.plot?.setSize({ width: this.width(), height: HEIGHT }));
    this.resize.observe(this.element);
  }

  /** Number of drawn (non-gap) raw points of each run, read from the chart's own data. */
  pointCounts(): Record<string, number> {
    const out: Record<string, number> = {};
    if (this.plot === null) return out;
    this.plot.data.forEach((ys, i) => {
      const meta = this.seriesRuns[i - 1];
      if (i === 0 || meta === undefined || !meta.isRaw) return;
      out[meta.runId] = Array.from(ys as ArrayLike<number | null | undefined>).filter((v) => v !== null && v !== undefined).length;
    });
    return out;
  }

  /** Number of lines drawn (one per run, two when smoothing). */
  lineCount(): number {
    return this.plot === null ? 0 : this.plot.series.length - 1;
  }

  /** Draw these runs with these settings. */
  update(runs: readonly RunCurve[], settings: ChartSettings): void {
    const isSmoothed = settings.smoothing > 0;
    const curves: Curve[] = [];
    const series: uPlot.Series[] = [{ label: settings.xAxis }];
    const seriesRuns: Array<{ runId: string; isRaw: boolean }> = [];
    for (const run of runs) {
      const y = settings.isLogScale ? forLogScale(run.curve.y) : run.curve.y;
      curves.push({ x: run.curve.x, y });
      series.push({ label: isSmoothed ? `${run.label} (raw)` : run.label, stroke: isSmoothed ? `${run.color}40` : run.color, width: 1.5, spanGaps: true });
      seriesRuns.push({ runId: run.id, isRaw: true });
      if (isSmoothed) {
        curves.push({ x: run.curve.x, y: smoothValues(y, settings.smoothing) });
        series.push({ label: run.label, stroke: run.color, width: 2, spanGaps: true });
        seriesRuns.push({ runId: run.id, isRaw: false });
      }
    }
    const data = alignCurves(curves) as uPlot.AlignedData;
    this.seriesRuns = seriesRuns;
    const key = JSON.stringify([runs.map((r) => [r.id, r.color, r.label]), settings.xAxis, isSmoothed, settings.isLogScale]);
    if (this.plot !== null && key === this.layoutKey) {
      this.plot.setData(data);
      return;
    }
    this.plot?.destroy();
    this.layoutKey = key;
    const options: uPlot.Options = {
      width: this.width(),
      height: HEIGHT,
      scales: { x: { time: false }, y: { distr: settings.isLogScale ? 3 : 1 } },
      axes: [{ label: settings.xAxis, size: 36 }, { size: 56 }],
      series,
      legend: { show: true },
    };
    this.plot = new uPlot(options, data, this.body);
  }

  /** Remove the chart. */
  destroy(): void {
    this.resize.disconnect();
    this.plot?.destroy();
    this.plot = null;
    this.element.remove();
  }

  private width(): number {
    return Math.max(200, this.element.clientWidth - 12);
  }
}
