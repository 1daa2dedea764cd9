/** TFRecord framing: uint64 length, masked CRC-32C of the length, data, masked CRC-32C of the data (little-endian). */
import { crc32c, maskCrc } from './crc32c.js';

/** Frame one record. */
export function frameRecord(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(8 + 4 + data.length + 4);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(data.length), true);
  view.setUint32(8, maskCrc(crc32c(out.subarray(0, 8))), true);
  out.set(data, 12);
  view.setUint32(12 + data.length, maskCrc(crc32c(data)), true);
  return out;
}
