import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { create, toBinary } from '@bufbuild/protobuf';
import { EventSchema } from '../../src/loggers/proto/tensorboard/event_pb.js';
import { scalarValue } from '../../src/loggers/tensorboard/summaries.js';
import { frameRecord } from '../../src/loggers/tensorboard/tfrecord.js';
import { decodeRun, readRecords } from './tfevents-reader.js';

// Written by TensorBoard's own Python EventFileWriter (scripts/fixtures/tensorboard_events.py).
const fixture = JSON.parse(readFileSync(new URL('../fixtures/tensorboard/reference.json', import.meta.url), 'utf8')) as {
  generator: string;
  events_base64: string;
  scalars: Array<{ tag: string; step: number; value: number }>;
};
const bytes = new Uint8Array(Buffer.from(fixture.events_base64, 'base64'));

describe(`TensorBoard reference file (${fixture.generator})`, () => {
  it('is read by the test reader: file version and every scalar', () => {
    const run = decodeRun(bytes);
    assert.equal(run.fileVersion, 'brain.Event:2');
    assert.deepEqual(run.scalars, fixture.scalars.map((s) => ({ ...s, value: Math.fround(s.value) })));
  });

  it('has records our framing reproduces byte for byte, and scalar events our encoder reproduces', () => {
    const records = readRecords(bytes);
    const reframed = records.map(frameRecord);
    assert.deepEqual(Buffer.concat(reframed), Buffer.from(bytes));
    fixture.scalars.forEach((s, i) => {
      const event = create(EventSchema, {
        wallTime: 1700000000 + s.step,
        step: BigInt(s.step),
        what: { case: 'summary', value: { value: [scalarValue(s.tag, s.value)] } },
      });
      assert.deepEqual(Buffer.from(toBinary(EventSchema, event)), Buffer.from(records[i + 1]!), `event ${i}`);
    });
  });
});
