/** The table `validate`/`test` print: one column per dataloader, one row per metric. */

/** Format per-dataloader metrics as a boxed text table. */
export function formatResultsTable(stage: 'Validate' | 'Test', results: ReadonlyArray<Record<string, number>>): string {
  const keys = [...new Set(results.flatMap((r) => Object.keys(r)))].sort();
  if (keys.length === 0) return '';
  const header = [`${stage} metric`, ...results.map((_, i) => (results.length > 1 ? `DataLoader ${i}` : 'DataLoader 0'))];
  const rows = keys.map((k) => [k, ...results.map((r) => (r[k] === undefined ? '' : formatNumber(r[k])))]);
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? '').length)));
  const line = (cells: string[]): string => `│ ${cells.map((cell, c) => cell.padEnd(widths[c] ?? 0)).join(' │ ')} │`;
  const rule = (l: string, m: string, r: string): string => `${l}${widths.map((w) => '─'.repeat(w + 2)).join(m)}${r}`;
  return [rule('┌', '┬', '┐'), line(header), rule('├', '┼', '┤'), ...rows.map(line), rule('└', '┴', '┘')].join('\n');
}

function formatNumber(v: number): string {
  if (Number.isInteger(v)) return String(v);
  return Math.abs(v) >= 1e-3 && Math.abs(v) < 1e6 ? v.toFixed(6).replace(/0+$/, '').replace(/\.$/, '') : v.toExponential(4);
}
