// Tile a batch of grayscale images into one picture and write it as a PNG (8-bit gray, zlib from node:zlib).
import { writeFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { deflateSync } from 'node:zlib';
import { tf } from '../../src/index.js';
import type { Tensor } from '../../src/index.js';

/** An 8-bit grayscale picture, row-major. */
export interface GrayImage {
  width: number;
  height: number;
  pixels: Uint8Array;
}

/** Lay out `rows` of image batches ([N, 1, H, W] or [N, H*W] with `size`, values in [0, 1]) one row each, with a 2-pixel gap. */
export function imageGrid(rows: Tensor[], size: [number, number] = [28, 28]): GrayImage {
  const [h, w] = size;
  const gap = 2;
  const cols = Math.max(...rows.map((r) => r.shape[0] ?? 0));
  const width = cols * (w + gap) + gap;
  const height = rows.length * (h + gap) + gap;
  const pixels = new Uint8Array(width * height);
  rows.forEach((batch, r) => {
    const values = tf.tidy(() => tf.clipByValue(tf.reshape(batch, [-1, h * w]), 0, 1).dataSync());
    const n = values.length / (h * w);
    for (let k = 0; k < n; k++) {
      for (let y = 0; y < h; y++) {
        for (let x = 0; x < w; x++) {
          const value = values[k * h * w + y * w + x] ?? 0;
          pixels[(gap + r * (h + gap) + y) * width + gap + k * (w + gap) + x] = Math.round(255 * value);
        }
      }
    }
  });
  return { width, height, pixels };
}

const CRC_TABLE = Uint32Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const b of bytes) crc = (CRC_TABLE[(crc ^ b) & 0xff] ?? 0) ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

function pngChunk(type: string, body: Uint8Array): Buffer {
  const out = Buffer.alloc(12 + body.length);
  out.writeUInt32BE(body.length, 0);
  out.write(type, 4, 'ascii');
  out.set(body, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + body.length)), 8 + body.length);
  return out;
}

/** Encode a grayscale picture as PNG bytes. */
export function encodeGrayPng(image: GrayImage): Buffer {
  const { width, height, pixels } = image;
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth; color type 0 (gray), default compression, filter and interlace
  const scanlines = new Uint8Array(height * (width + 1));
  for (let y = 0; y < height; y++) scanlines.set(pixels.subarray(y * width, (y + 1) * width), y * (width + 1) + 1);
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([signature, pngChunk('IHDR', header), pngChunk('IDAT', deflateSync(scanlines)), pngChunk('IEND', new Uint8Array(0))]);
}

/** Write `image` as a PNG file, creating its folder. */
export function savePng(path: string, image: GrayImage): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, encodeGrayPng(image));
}
