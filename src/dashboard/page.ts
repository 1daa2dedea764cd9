/** The dashboard's HTML shell and stylesheet (the client modules fill it in). */

/** The page: an import map for uPlot, the stylesheet, the client entry module and empty sections. */
export function dashboardHtml(importMap: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>lightning-ts dashboard</title>
<link rel="stylesheet" href="/vendor/uplot.min.css">
<link rel="stylesheet" href="/style.css">
<script type="importmap">${importMap}</script>
<script type="module" src="/app/main.js"></script>
</head>
<body>
<header><h1>lightning-ts dashboard</h1><span id="logdir"></span><span id="live" class="live off">connecting…</span></header>
<main>
<section><h2>Runs</h2><table id="runs"><thead><tr><th></th><th>run</th><th>status</th><th>started</th><th>duration</th><th>points</th><th>best checkpoint</th><th>score</th></tr></thead><tbody></tbody></table><p id="no-runs" class="muted" hidden>No runs yet in this log dir. Runs appear here as soon as a logger writes them.</p></section>
<section id="notices" hidden><h2>Notices</h2><ul></ul></section>
<section id="controls">
<label>x-axis <select id="x-axis"><option value="step">step</option><option value="epoch">epoch</option></select></label>
<label>smoothing <input id="smoothing" type="range" min="0" max="0.99" step="0.01" value="0"> <output id="smoothing-value">0</output></label>
<label><input id="log-scale" type="checkbox"> log scale</label>
<label>filter <input id="filter" type="search" placeholder="metric name"></label>
</section>
<div id="charts"></div>
<section id="test-section" hidden><h2>Test metrics</h2><table id="test-metrics"><thead></thead><tbody></tbody></table></section>
<section id="hparams-section" hidden><h2>Hyperparameters</h2><table id="hparams"><thead></thead><tbody></tbody></table></section>
</main>
</body>
</html>
`;
}

/** The page's stylesheet. */
export const DASHBOARD_CSS = `
:root { color-scheme: light; font: 14px/1.4 system-ui, sans-serif; color: #1f2328; background: #f6f8fa; }
body { margin: 0; }
header { display: flex; gap: 16px; align-items: baseline; padding: 10px 20px; background: #24292f; color: #fff; }
header h1 { font-size: 17px; margin: 0; }
#logdir { color: #c9d1d9; font-family: ui-monospace, monospace; font-size: 12px; }
.live { margin-left: auto; font-size: 12px; }
.live::before { content: '●'; margin-right: 4px; }
.live.on::before { color: #3fb950; }
.live.off::before { color: #f85149; }
main { padding: 12px 20px 40px; }
h2 { font-size: 15px; margin: 18px 0 8px; }
h3 { font-size: 14px; margin: 14px 0 6px; text-transform: uppercase; letter-spacing: .04em; color: #57606a; }
table { border-collapse: collapse; background: #fff; border: 1px solid #d0d7de; font-size: 13px; }
th, td { padding: 4px 10px; border-bottom: 1px solid #eaeef2; text-align: left; white-space: nowrap; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
td.diff { background: #fff8c5; }
.swatch { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin-right: 6px; vertical-align: middle; }
.status { padding: 1px 6px; border-radius: 8px; font-size: 12px; background: #eaeef2; }
.status.running { background: #ddf4ff; color: #0969da; }
.status.success { background: #dafbe1; color: #1a7f37; }
.status.failed { background: #ffebe9; color: #cf222e; }
.status.interrupted { background: #fff8c5; color: #9a6700; }
.muted { color: #57606a; }
#notices ul { margin: 0; padding-left: 20px; color: #9a6700; font-size: 12px; }
#controls { display: flex; gap: 18px; align-items: center; margin: 14px 0 4px; flex-wrap: wrap; }
.chart-grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(420px, 1fr)); gap: 12px; }
.chart { background: #fff; border: 1px solid #d0d7de; border-radius: 6px; padding: 6px; min-width: 0; }
.chart .title { font-weight: 600; font-size: 13px; margin: 2px 4px 4px; }
.chart .empty { color: #57606a; font-size: 12px; margin: 4px; }
`;
