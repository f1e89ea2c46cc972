/**
 * Decoding and resizing for the image-folder loader. pngjs and jpeg-js are pure JavaScript: no
 * native build (sharp, canvas) to ship per Electron ABI, and both decode to RGBA bytes, which also
 * turns grayscale and palette images into RGB for free. The format is detected from the file's
 * magic bytes, not its extension.
 */
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { DatasetError } from './types';

export interface Rgba {
  width: number;
  height: number;
  /** width × height × 4 bytes. */
  data: Uint8Array;
}

function reason(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e);
  // pngjs reports a file that ends early as a stream-internals message; say what it means.
  if (/finished stream|unexpected end/i.test(text)) return 'the file ends early';
  return text.replace(/[.\s]+$/, '');
}

export function decodeImage(file: string, buf: Uint8Array): Rgba {
  const isPng = buf.length >= 8 && buf[0] === 0x89 && buf[1] === 0x50 && buf[2] === 0x4e && buf[3] === 0x47;
  const isJpeg = buf.length >= 3 && buf[0] === 0xff && buf[1] === 0xd8 && buf[2] === 0xff;
  if (isPng) {
    try {
      const png = PNG.sync.read(Buffer.from(buf.buffer, buf.byteOffset, buf.length));
      return { width: png.width, height: png.height, data: png.data };
    } catch (e) {
      throw new DatasetError(`Image file ${file} could not be read as PNG (${reason(e)}).`);
    }
  }
  if (isJpeg) {
    try {
      const img = jpeg.decode(buf, { useTArray: true, formatAsRGBA: true, maxMemoryUsageInMB: 1024 });
      return { width: img.width, height: img.height, data: img.data };
    } catch (e) {
      throw new DatasetError(`Image file ${file} could not be read as JPEG (${reason(e)}).`);
    }
  }
  throw new DatasetError(`Image file ${file} is neither a PNG nor a JPEG (its first bytes do not match either).`);
}

/**
 * Bilinear resize with half-pixel centres (as tf.image.resizeBilinear with halfPixelCenters and
 * PIL), writing `channels` interleaved bytes into `out` at `offset`. channels: 1 = luma (BT.601),
 * 3 = RGB, 4 = RGBA; other counts repeat the luma. Alpha is ignored for 1 and 3 channels.
 */
export function resizeInto(
  img: Rgba,
  height: number,
  width: number,
  channels: number,
  out: Uint8Array,
  offset: number,
): void {
  const { width: sw, height: sh, data } = img;
  const sy = sh / height;
  const sx = sw / width;
  const px = new Float64Array(4);
  for (let y = 0; y < height; y++) {
    const fy = Math.min(Math.max((y + 0.5) * sy - 0.5, 0), sh - 1);
    const y0 = Math.floor(fy);
    const y1 = Math.min(y0 + 1, sh - 1);
    const wy = fy - y0;
    for (let x = 0; x < width; x++) {
      const fx = Math.min(Math.max((x + 0.5) * sx - 0.5, 0), sw - 1);
      const x0 = Math.floor(fx);
      const x1 = Math.min(x0 + 1, sw - 1);
      const wx = fx - x0;
      const a = (y0 * sw + x0) * 4;
      const b = (y0 * sw + x1) * 4;
      const c = (y1 * sw + x0) * 4;
      const d = (y1 * sw + x1) * 4;
      for (let k = 0; k < 4; k++) {
        const top = data[a + k]! * (1 - wx) + data[b + k]! * wx;
        const bottom = data[c + k]! * (1 - wx) + data[d + k]! * wx;
        px[k] = top * (1 - wy) + bottom * wy;
      }
      const o = offset + (y * width + x) * channels;
      if (channels === 3 || channels === 4) {
        for (let k = 0; k < channels; k++) out[o + k] = Math.round(px[k]!);
      } else {
        const luma = Math.round(0.299 * px[0]! + 0.587 * px[1]! + 0.114 * px[2]!);
        for (let k = 0; k < channels; k++) out[o + k] = luma;
      }
    }
  }
}
