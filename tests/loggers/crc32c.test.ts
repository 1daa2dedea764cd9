import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { crc32c, maskCrc } from '../../src/loggers/tensorboard/crc32c.js';
import { frameRecord } from '../../src/loggers/tensorboard/tfrecord.js';
import { crc32cBitwise, readRecords } from './tfevents-reader.js';

// RFC 3720 (iSCSI) appendix B.4 test vectors and the classic "123456789" check value.
const vectors: Array<[string, Uint8Array, number]> = [
  ['"123456789"', new TextEncoder().encode('123456789'), 0xe3069283],
  ['32 zero bytes', new Uint8Array(32), 0x8a9136aa],
  ['32 0xFF bytes', new Uint8Array(32).fill(0xff), 0x62a8ab43],
  ['bytes 0..31', Uint8Array.from({ length: 32 }, (_, i) => i), 0x46dd794e],
  ['bytes 31..0', Uint8Array.from({ length: 32 }, (_, i) => 31 - i), 0x113fdb5c],
  ['empty', new Uint8Array(0), 0],
];

describe('CRC-32C', () => {
  for (const [name, data, expected] of vectors) {
    it(`matches the known value for ${name} (writer table and reader bitwise)`, () => {
      assert.equal(crc32c(data), expected);
      assert.equal(crc32cBitwise(data), expected);
    });
  }

  it('writer and reader agree on random data', () => {
    let x = 12345;
    const data = Uint8Array.from({ length: 1000 }, () => ((x = (x * 1103515245 + 12345) >>> 0), x >>> 24));
    for (const n of [1, 7, 8, 9, 100, 1000]) assert.equal(crc32c(data.subarray(0, n)), crc32cBitwise(data.subarray(0, n)));
  });

  it('masks like TFRecord: rotate right 15, add 0xa282ead8', () => {
    assert.equal(maskCrc(0), 0xa282ead8);
    // 0xe3069283 rotated right by 15 = 0x2507c60d; + 0xa282ead8 = 0xc78ab0e5 (mod 2^32).
    assert.equal(maskCrc(0xe3069283), 0xc78ab0e5);
  });

  it('frames a record as length, masked CRC, data, masked CRC', () => {
    const payload = new TextEncoder().encode('hello');
    const rec = frameRecord(payload);
    assert.equal(rec.length, 8 + 4 + 5 + 4);
    const view = new DataView(rec.buffer);
    assert.equal(view.getBigUint64(0, true), 5n);
    assert.deepEqual([...rec.subarray(12, 17)], [...payload]);
    assert.deepEqual(readRecords(rec).map((r) => new TextDecoder().decode(r)), ['hello']);
  });
});
