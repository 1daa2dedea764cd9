/** Checkpoint file names from templates like `"{epoch}-{val_loss:.2f}"` (Lightning's `format_checkpoint_name`). */

/** Format a number with a Python-style spec: `.2f`, `03d`, `.4e`, `d`, `g` (the subset checkpoint names use). */
export function formatSpec(value: number, spec: string | undefined): string {
  if (spec === undefined || spec === '') return Number.isInteger(value) ? String(value) : String(value);
  const m = /^(0)?(\d+)?(?:\.(\d+))?([dfeg%])?$/.exec(spec);
  if (m === null) return String(value);
  const [, zero, widthText, precisionText, type] = m;
  const precision = precisionText === undefined ? undefined : Number(precisionText);
  let text: string;
  switch (type) {
    case 'd':
      text = String(Math.trunc(value));
      break;
    case 'f':
      text = value.toFixed(precision ?? 6);
      break;
    case 'e':
      text = value.toExponential(precision ?? 6).replace(/e([+-])(\d)$/, 'e$10$2');
      break;
    case 'g':
      text = String(Number(value.toPrecision(precision ?? 6)));
      break;
    case '%':
      text = `${(value * 100).toFixed(precision ?? 6)}%`;
      break;
    default:
      text = precision === undefined ? String(value) : value.toFixed(precision);
  }
  const width = widthText === undefined ? 0 : Number(widthText);
  if (text.length >= width) return text;
  if (zero === '0') {
    const negative = text.startsWith('-');
    const digits = negative ? text.slice(1) : text;
    return (negative ? '-' : '') + digits.padStart(width - (negative ? 1 : 0), '0');
  }
  return text.padStart(width, ' ');
}

/**
 * Fill a filename template: each `{name}` or `{name:spec}` becomes the metric's value (0 when missing), written
 * as `name=value` when `autoInsertMetricName` is on. A prefix is joined with `-` and `-v<ver>` is appended for versions.
 */
export function formatCheckpointName(
  template: string,
  metrics: Readonly<Record<string, number>>,
  options: { autoInsertMetricName: boolean; prefix?: string; version?: number },
): string {
  let name = template.replace(/\{([^{}:]+)(?::([^{}]*))?\}/g, (_, key: string, spec: string | undefined) => {
    const value = formatSpec(metrics[key] ?? 0, spec);
    return options.autoInsertMetricName ? `${key}=${value}` : value;
  });
  if (options.prefix !== undefined && options.prefix !== '') name = `${options.prefix}-${name}`;
  if (options.version !== undefined) name = `${name}-v${options.version}`;
  return name;
}
