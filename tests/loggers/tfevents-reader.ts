// Independent reader of TensorBoard event files for tests: own bitwise CRC-32C, strict framing checks,
// Event decoding with the generated schemas, and extraction of every summary kind the loggers write.
import { fromBinary } from '@bufbuild/protobuf';
import type { Value } from '@bufbuild/protobuf/wkt';
import { EventSchema, type Event } from '../../src/loggers/proto/tensorboard/event_pb.js';
import type { HistogramProto, Summary_Value } from '../../src/loggers/proto/tensorboard/summary_pb.js';
import { HParamsPluginDataSchema, type HParamsPluginData } from '../../src/loggers/proto/tensorboard/hparams/plugin_data_pb.js';

/** Bitwise (table-free) CRC-32C, independent of the writer's table version. */
export function crc32cBitwise(data: Uint8Array): number {
  let crc = ~0 >>> 0;
  for (const byte of data) {
    crc = (crc ^ byte) >>> 0;
    for (let k = 0; k < 8; k++) crc = (crc >>> 1) ^ (0x82f63b78 & -(crc & 1));
    crc >>>= 0;
  }
  return ~crc >>> 0;
}

function masked(crc: number): number {
  const rotated = ((crc >>> 15) | ((crc << 17) >>> 0)) >>> 0;
  return (rotated + 0xa282ead8) % 0x100000000;
}

/** Split a file into record payloads, throwing on any framing or CRC error. */
export function readRecords(bytes: Uint8Array): Uint8Array[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: Uint8Array[] = [];
  let o = 0;
  while (o < bytes.length) {
    if (o + 12 > bytes.length) throw new Error(`truncated header at ${o}`);
    const length = view.getBigUint64(o, true);
    if (view.getUint32(o + 8, true) !== masked(crc32cBitwise(bytes.subarray(o, o + 8)))) throw new Error(`bad length CRC at ${o}`);
    if (length > BigInt(bytes.length - o - 16)) throw new Error(`record at ${o} runs past the end`);
    const n = Number(length);
    const data = bytes.subarray(o + 12, o + 12 + n);
    if (view.getUint32(o + 12 + n, true) !== masked(crc32cBitwise(data))) throw new Error(`bad data CRC at ${o}`);
    out.push(data);
    o += 16 + n;
  }
  return out;
}

/** Decode every Event of a file. */
export function readEvents(bytes: Uint8Array): Event[] {
  return readRecords(bytes).map((r) => fromBinary(EventSchema, r));
}

/** Everything the loggers write, pulled out of the events. */
export interface DecodedRun {
  fileVersion: string | undefined;
  scalars: Array<{ tag: string; step: number; value: number }>;
  texts: Array<{ tag: string; step: number; text: string; plugin: string }>;
  histograms: Array<{ tag: string; step: number; histo: HistogramProto }>;
  images: Array<{ tag: string; step: number; width: number; height: number; colorspace: number; png: Uint8Array }>;
  hparams: Array<{ tag: string; plugin: string; data: HParamsPluginData }>;
}

function summaryValues(events: Event[]): Array<[number, Summary_Value]> {
  return events.flatMap((e) => (e.what.case === 'summary' ? e.what.value.value.map((v) => [Number(e.step), v] as [number, Summary_Value]) : []));
}

/** Decode a whole event file. */
export function decodeRun(bytes: Uint8Array): DecodedRun {
  const events = readEvents(bytes);
  const first = events[0];
  const run: DecodedRun = {
    fileVersion: first?.what.case === 'fileVersion' ? first.what.value : undefined,
    scalars: [],
    texts: [],
    histograms: [],
    images: [],
    hparams: [],
  };
  for (const [step, v] of summaryValues(events)) {
    const plugin = v.metadata?.pluginData?.pluginName ?? '';
    if (v.value.case === 'simpleValue') run.scalars.push({ tag: v.tag, step, value: v.value.value });
    else if (v.value.case === 'histo') run.histograms.push({ tag: v.tag, step, histo: v.value.value });
    else if (v.value.case === 'image') {
      const img = v.value.value;
      run.images.push({ tag: v.tag, step, width: img.width, height: img.height, colorspace: img.colorspace, png: img.encodedImageString });
    } else if (plugin === 'hparams') {
      run.hparams.push({ tag: v.tag, plugin, data: fromBinary(HParamsPluginDataSchema, v.metadata?.pluginData?.content ?? new Uint8Array()) });
    } else if (v.value.case === 'tensor') {
      const s = v.value.value.stringVal[0];
      run.texts.push({ tag: v.tag, step, text: new TextDecoder().decode(s), plugin });
    }
  }
  return run;
}

/** A google.protobuf.Value as a JS value. */
export function plainValue(v: Value): string | number | boolean | null {
  return v.kind.case === 'numberValue' || v.kind.case === 'stringValue' || v.kind.case === 'boolValue' ? v.kind.value : null;
}
