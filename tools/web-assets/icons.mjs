// Draws the app's home-screen icons (PNG) from the same shapes as wwwroot/favicon.svg: a white cross on the app's blue,
// rounded for "any" and full-bleed for "maskable" (the cross stays inside the maskable safe zone, a circle of 40% of
// the size). No image library: pixels are supersampled 4x4 and written as an RGBA PNG with zlib. Deterministic, so
// `node tools/web-assets/icons.mjs --check` (a test) proves the committed files are this script's output.
import { deflateSync } from 'node:zlib';
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, '..', '..', 'src', 'EhrShare.Web', 'wwwroot', 'icons');
const blue = [0x0d, 0x6e, 0xfd];
const white = [0xff, 0xff, 0xff];

// The favicon's 32-unit geometry: corner radius 6 (none when maskable), bars 6 wide from 7 to 25.
function colourAt(x, y, rounded) {
  const r = 6;
  if (rounded) {
    const cx = Math.min(Math.max(x, r), 32 - r);
    const cy = Math.min(Math.max(y, r), 32 - r);
    if ((x - cx) ** 2 + (y - cy) ** 2 > r * r) return null;
  }
  const inCross = (x >= 13 && x <= 19 && y >= 7 && y <= 25) || (x >= 7 && x <= 25 && y >= 13 && y <= 19);
  return inCross ? white : blue;
}

function draw(size, rounded) {
  const n = 4;
  const pixels = Buffer.alloc(size * (size * 4 + 1));
  for (let py = 0; py < size; py++) {
    const row = py * (size * 4 + 1);
    pixels[row] = 0; // filter: none
    for (let px = 0; px < size; px++) {
      let red = 0, green = 0, bl = 0, covered = 0;
      for (let sy = 0; sy < n; sy++) {
        for (let sx = 0; sx < n; sx++) {
          const c = colourAt(((px + (sx + 0.5) / n) / size) * 32, ((py + (sy + 0.5) / n) / size) * 32, rounded);
          if (c) { red += c[0]; green += c[1]; bl += c[2]; covered++; }
        }
      }
      const i = row + 1 + px * 4;
      if (covered > 0) {
        pixels[i] = Math.round(red / covered);
        pixels[i + 1] = Math.round(green / covered);
        pixels[i + 2] = Math.round(bl / covered);
      }
      pixels[i + 3] = Math.round((covered / (n * n)) * 255);
    }
  }
  return png(size, pixels);
}

const crcTable = Array.from({ length: 256 }, (_, k) => {
  let c = k;
  for (let j = 0; j < 8; j++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(buffer) {
  let c = 0xffffffff;
  for (const byte of buffer) c = crcTable[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

function png(size, pixels) {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header[8] = 8; // bit depth
  header[9] = 6; // RGBA
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(pixels, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

const icons = {
  'icon-192.png': [192, true],
  'icon-512.png': [512, true],
  'icon-maskable-512.png': [512, false],
  'apple-touch-icon-180.png': [180, false],
};

const check = process.argv.includes('--check');
const stale = [];
for (const [name, [size, rounded]] of Object.entries(icons)) {
  const bytes = draw(size, rounded);
  const file = join(out, name);
  if (check) {
    if (!existsSync(file) || !bytes.equals(readFileSync(file))) stale.push(name);
  } else {
    writeFileSync(file, bytes);
    console.log(`${name}: ${size}x${size}, ${bytes.length} bytes`);
  }
}

if (stale.length > 0) {
  console.error(`wwwroot/icons differ from tools/web-assets/icons.mjs's drawing: ${stale.join(', ')}; run 'node tools/web-assets/icons.mjs' and commit`);
  process.exit(1);
}
