/**
 * Node's side of the progress bar: stdout as a `ProgressStream`, and a `cli-progress` renderer that redraws
 * the bars in place on a TTY. Callbacks load this file lazily, so browser bundles never need it.
 */
import cliProgress from 'cli-progress';
import type { MultiBar, Params, SingleBar } from 'cli-progress';
import type { BarState, ProgressRenderer, ProgressStream } from '../callbacks/progress/renderer.js';
import { PlainLineRenderer, formatRate, rateOf } from '../callbacks/progress/renderer.js';

interface NodeWriteStream {
  isTTY?: boolean;
  columns?: number;
  write(text: string): boolean;
}

/** The process's stdout (`isTTY` false when piped to a file or another process). */
export function nodeStdout(): ProgressStream & { readonly stream: NodeJS.WritableStream } {
  const out = process.stdout as unknown as NodeWriteStream & NodeJS.WritableStream;
  return {
    stream: out,
    get isTTY() {
      return out.isTTY === true;
    },
    get columns() {
      return out.columns;
    },
    write: (text: string) => void out.write(text),
  };
}

const FORMAT = '{description}: {percentage}%|{bar}| {value}/{total} [{duration_formatted}<{eta_formatted}, {rate}{postfix}]';

interface Payload {
  key: string;
  description: string;
  rate: string;
  postfix: string;
}

function payloadOf(key: string, s: BarState): Payload {
  return { key, description: s.description, rate: formatRate(rateOf(s)), postfix: s.postfix === '' ? '' : `, ${s.postfix}` };
}

/** Bars drawn by `cli-progress` in a terminal: each redrawn in place, finished ones kept above (leave) or erased. */
export class CliProgressRenderer implements ProgressRenderer {
  private readonly multi: MultiBar;
  private readonly bars = new Map<string, SingleBar>();
  private readonly lastLine = new Map<string, string>();

  constructor(stream: NodeJS.WritableStream = process.stdout) {
    const format = (options: Parameters<typeof cliProgress.Format.Formatter>[0], params: Params, payload: Payload): string => {
      const line = cliProgress.Format.Formatter({ ...options, format: FORMAT }, params, payload);
      this.lastLine.set(payload.key, line);
      return line;
    };
    this.multi = new cliProgress.MultiBar({
      stream, format, barsize: 25, barCompleteChar: '\u2588', barIncompleteChar: ' ', hideCursor: true, fps: 10,
      clearOnComplete: true, autopadding: true, gracefulExit: false, formatValue: (v) => String(v),
    });
  }

  start(key: string, state: BarState): void {
    const total = Number.isFinite(state.total) ? state.total : 0;
    const bar = this.bars.get(key);
    if (bar === undefined) this.bars.set(key, this.multi.create(total, state.current, payloadOf(key, state)));
    else bar.start(total, state.current, payloadOf(key, state));
  }

  update(key: string, state: BarState): void {
    const bar = this.bars.get(key);
    if (bar === undefined) return;
    if (Number.isFinite(state.total)) bar.setTotal(state.total);
    bar.update(state.current, payloadOf(key, state));
    this.multi.update();
  }

  finish(key: string, state: BarState, leave: boolean): void {
    const bar = this.bars.get(key);
    if (bar === undefined) return;
    this.update(key, state);
    this.bars.delete(key);
    const line = this.lastLine.get(key);
    if (leave && line !== undefined) this.multi.log(`${line}\n`);
    this.multi.remove(bar);
    if (this.bars.size === 0) this.multi.stop();
  }

  print(text: string): void {
    if (this.bars.size === 0) {
      process.stdout.write(`${text}\n`);
      return;
    }
    this.multi.log(`${text}\n`);
    this.multi.update();
  }

  close(): void {
    this.bars.clear();
    this.multi.stop();
  }
}

/** The default renderer for this process: `cli-progress` on a TTY, else plain lines every `plainIntervalMs`. */
export function nodeProgressRenderer(plainIntervalMs: number): ProgressRenderer {
  const out = nodeStdout();
  return out.isTTY ? new CliProgressRenderer(out.stream) : new PlainLineRenderer(out, plainIntervalMs);
}
