/**
 * A sample's pixels as a tiny grayscale PNG `data:` URI, so the report shows images with no file next to it.
 * One PNG pixel per feature (8×8 for a digit, a few hundred bytes); the page scales it up with crisp pixels.
 * Written out by hand (stored deflate blocks, CRC-32, Adler-32, base64) to keep core/ free of Node built-ins.
 */

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const byte of bytes) c = (CRC_TABLE[(c ^ byte) & 0xff] as number) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function adler32(bytes: Uint8Array): number {
  let a = 1;
  let b = 0;
  for (const byte of bytes) {
    a = (a + byte) % 65521;
    b = (b + a) % 65521;
  }
  return ((b << 16) | a) >>> 0;
}

const u32 = (value: number): number[] => [(value >>> 24) & 0xff, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff];

function chunk(type: string, data: Uint8Array): number[] {
  const body = new Uint8Array(4 + data.length);
  for (let i = 0; i < 4; i++) body[i] = type.charCodeAt(i);
  body.set(data, 4);
  return [...u32(data.length), ...body, ...u32(crc32(body))];
}

/** A zlib stream of stored (uncompressed) blocks: tiny images gain nothing from compression. */
function zlibStored(raw: Uint8Array): Uint8Array {
  const out: number[] = [0x78, 0x01];
  const BLOCK = 65535;
  for (let start = 0; start < raw.length || start === 0; start += BLOCK) {
    const end = Math.min(raw.length, start + BLOCK);
    const length = end - start;
    out.push(end === raw.length ? 1 : 0, length & 0xff, length >>> 8, ~length & 0xff, (~length >>> 8) & 0xff);
    for (let i = start; i < end; i++) out.push(raw[i] as number);
    if (raw.length === 0) break;
  }
  out.push(...u32(adler32(raw)));
  return Uint8Array.from(out);
}

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

export function base64(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const a = bytes[i] as number;
    const b = bytes[i + 1];
    const c = bytes[i + 2];
    const n = (a << 16) | ((b ?? 0) << 8) | (c ?? 0);
    out += BASE64[(n >>> 18) & 63]! + BASE64[(n >>> 12) & 63]! + (b === undefined ? '=' : BASE64[(n >>> 6) & 63]!) + (c === undefined ? '=' : BASE64[n & 63]!);
  }
  return out;
}

/** 8-bit grayscale PNG bytes of `width × height` values (row-major), 0 → white … maxValue → black, like ink. */
export function grayPng(values: readonly number[], width: number, height: number, maxValue: number): Uint8Array {
  if (values.length !== width * height) throw new RangeError(`${values.length} values cannot fill a ${width}×${height} image`);
  const raw = new Uint8Array(height * (width + 1));
  for (let y = 0; y < height; y++) {
    raw[y * (width + 1)] = 0; // filter: none
    for (let x = 0; x < width; x++) {
      const value = values[y * width + x] as number;
      const ink = Number.isFinite(value) ? Math.min(1, Math.max(0, value / maxValue)) : 0;
      raw[y * (width + 1) + 1 + x] = Math.round(255 * (1 - ink));
    }
  }
  const header = Uint8Array.from([...u32(width), ...u32(height), 8, 0, 0, 0, 0]);
  const signature = [137, 80, 78, 71, 13, 10, 26, 10];
  return Uint8Array.from([...signature, ...chunk('IHDR', header), ...chunk('IDAT', zlibStored(raw)), ...chunk('IEND', new Uint8Array(0))]);
}

export function grayPngDataUri(values: readonly number[], width: number, height: number, maxValue: number): string {
  return `data:image/png;base64,${base64(grayPng(values, width, height, maxValue))}`;
}
