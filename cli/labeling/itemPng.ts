/**
 * One item's features drawn as a grayscale PNG for a person to judge: values 0…maxValue become white…black, like
 * ink on paper (the digits data set stores 16 for full ink), and each feature becomes a block of pixels big enough
 * to read on a screen or a printout.
 */
import { PNG } from 'pngjs';

/** The longest side a drawn item aims for, in screen pixels: an 8×8 digit becomes 128×128, a 28×28 one 112×112. */
const TARGET_SIDE_PX = 128;

/** How many screen pixels wide each feature is drawn: whole numbers only, so every feature stays a crisp square. */
export function pixelScale(width: number, height: number): number {
  return Math.min(16, Math.max(1, Math.floor(TARGET_SIDE_PX / Math.max(width, height))));
}

/** `values` are row-major, `width × height` of them; values outside 0…maxValue are clamped rather than refused. */
export function itemPng(values: readonly number[], width: number, height: number, maxValue: number): Buffer {
  if (values.length !== width * height) throw new Error(`an item has ${values.length} features, a ${width}×${height} image needs ${width * height}`);
  const scale = pixelScale(width, height);
  const outWidth = width * scale;
  const outHeight = height * scale;
  const gray = Buffer.alloc(outWidth * outHeight);
  for (let y = 0; y < outHeight; y++) {
    for (let x = 0; x < outWidth; x++) {
      const value = values[Math.floor(y / scale) * width + Math.floor(x / scale)] ?? 0;
      const ink = Math.min(1, Math.max(0, value / maxValue));
      gray[y * outWidth + x] = Math.round(255 * (1 - ink));
    }
  }
  const png = new PNG({ width: outWidth, height: outHeight });
  png.data = gray;
  // One byte per pixel in and out: pngjs then writes the bytes as they are (colour type 0, 8-bit grayscale).
  return PNG.sync.write(png, { colorType: 0, inputColorType: 0, inputHasAlpha: false });
}
