/** Writes `Event` records to one `events.out.tfevents.*` file, created lazily and flushed in small batches. */
import { create, toBinary } from '@bufbuild/protobuf';
import { EventSchema } from '../proto/tensorboard/event_pb.js';
import type { Summary_Value } from '../proto/tensorboard/summary_pb.js';
import { joinPath, type LogFileSystem } from '../file-system.js';
import { frameRecord } from './tfrecord.js';

let fileCounter = 0;

/** What the writer needs from its environment. */
export interface EventFileWriterOptions {
  fs: LogFileSystem;
  /** Directory of the run. */
  logDir: string;
  /** Clock in milliseconds. */
  now: () => number;
  hostname: string;
  pid: number;
  /** Events kept in memory before an append. */
  maxQueueSize: number;
}

/** TensorBoard's file name: `events.out.tfevents.<10-digit seconds>.<host>.<pid>.<counter>`. */
export function eventFileName(seconds: number, hostname: string, pid: number, counter: number): string {
  return `events.out.tfevents.${String(Math.floor(seconds)).padStart(10, '0')}.${hostname}.${pid}.${counter}`;
}

/** Appends framed `Event`s; the first record of the file is `file_version: "brain.Event:2"`. */
export class EventFileWriter {
  private path: string | undefined;
  private queue: Uint8Array[] = [];

  constructor(private readonly options: EventFileWriterOptions) {}

  /** Path of the event file (undefined until the first event). */
  get filePath(): string | undefined {
    return this.path;
  }

  /** Queue a summary event. */
  addSummary(values: Summary_Value[], step: number): void {
    this.open();
    const event = create(EventSchema, {
      wallTime: this.options.now() / 1000,
      step: BigInt(step),
      what: { case: 'summary', value: { value: values } },
    });
    this.queue.push(frameRecord(toBinary(EventSchema, event)));
    if (this.queue.length >= this.options.maxQueueSize) this.flush();
  }

  /** Append queued events to the file. */
  flush(): void {
    if (this.path === undefined || this.queue.length === 0) return;
    const total = this.queue.reduce((n, r) => n + r.length, 0);
    const out = new Uint8Array(total);
    let o = 0;
    for (const r of this.queue) {
      out.set(r, o);
      o += r.length;
    }
    this.options.fs.appendFile(this.path, out);
    this.queue = [];
  }

  private open(): void {
    if (this.path !== undefined) return;
    const { fs, logDir, now, hostname, pid } = this.options;
    fs.mkdir(logDir);
    fileCounter += 1;
    this.path = joinPath(logDir, eventFileName(now() / 1000, hostname, pid, fileCounter));
    const first = create(EventSchema, { wallTime: now() / 1000, what: { case: 'fileVersion', value: 'brain.Event:2' } });
    fs.writeFile(this.path, frameRecord(toBinary(EventSchema, first)));
  }
}
