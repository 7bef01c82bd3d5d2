// tests/page.mjs: helpers over a console page in the browser: screenshots, the map canvas's
// colours, where a place is on the map, the side column's tabs.
import { join } from 'node:path';

/** A function that saves numbered screenshots of a page into `dir`. */
export function screenshots(dir) {
  let step = 0;
  return async (page, name) => {
    step += 1;
    const file = join(dir, `${String(step).padStart(2, '0')}-${name}.png`);
    await page.screenshot({ path: file });
    console.log(`  screenshot ${file}`);
  };
}

/** Fractions of the map canvas's pixels within `tolerance` of `hex` and not. */
export async function canvasColours(page, hex, tolerance = 6) {
  await page.locator('#map[data-map-idle="true"]').waitFor({ timeout: 30000 });
  const png = await page.locator('#map canvas').screenshot();
  return page.evaluate(
    async ({ b64, hex, tolerance }) => {
      const img = new Image();
      img.src = `data:image/png;base64,${b64}`;
      await img.decode();
      const c = document.createElement('canvas');
      c.width = img.width;
      c.height = img.height;
      const g = c.getContext('2d');
      g.drawImage(img, 0, 0);
      const px = g.getImageData(0, 0, c.width, c.height).data;
      const want = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
      let hits = 0;
      for (let i = 0; i < px.length; i += 4) {
        if (Math.abs(px[i] - want[0]) + Math.abs(px[i + 1] - want[1]) + Math.abs(px[i + 2] - want[2]) <= tolerance) hits++;
      }
      const n = px.length / 4;
      return { land: hits / n, other: 1 - hits / n, width: c.width, height: c.height };
    },
    { b64: png.toString('base64'), hex, tolerance },
  );
}

const mercatorY = (lat) => Math.log(Math.tan(Math.PI / 4 + (lat * Math.PI) / 360));

/** The page coordinates of (lat, lng) on the map (Web Mercator, north up), or null off view. */
export async function mapPoint(page, lat, lng) {
  const map = page.locator('#map');
  const [w, s, e, n] = JSON.parse(await map.getAttribute('data-bounds'));
  const box = await map.boundingBox();
  if (lng < w || lng > e || lat < s || lat > n) return null;
  const x = box.x + ((lng - w) / (e - w)) * box.width;
  const y = box.y + ((mercatorY(n) - mercatorY(lat)) / (mercatorY(n) - mercatorY(s))) * box.height;
  return { x, y };
}

/** Shows one pane of the side column: hotline, filing, encounters or ledger. */
export async function openTab(page, pane) {
  await page.click(`#tab-${pane}`);
  await page.locator(`#${pane}:not([hidden])`).waitFor({ timeout: 5000 });
}

/** Zooms the map in `times` wheel steps with the pointer at (lat, lng); waits until idle. */
export async function zoomAt(page, lat, lng, times) {
  const p = await mapPoint(page, lat, lng);
  if (!p) throw new Error(`(${lat}, ${lng}) is not in view`);
  await page.mouse.move(p.x, p.y);
  for (let i = 0; i < times; i++) {
    await page.mouse.wheel(0, -300);
    await page.waitForTimeout(300);
  }
  await page.waitForTimeout(1000);
  await page.locator('#map[data-map-idle="true"]').waitFor({ timeout: 20000 });
}

/** Drags the map so that (lat, lng) comes to its centre, as a user would; waits until idle. */
export async function centreOn(page, lat, lng) {
  const p = await mapPoint(page, lat, lng);
  if (!p) throw new Error(`(${lat}, ${lng}) is not in view`);
  const box = await page.locator('#map').boundingBox();
  await page.mouse.move(p.x, p.y);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2, { steps: 10 });
  await page.mouse.up();
  await page.waitForTimeout(500);
  await page.locator('#map[data-map-idle="true"]').waitFor({ timeout: 20000 });
}
