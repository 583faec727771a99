import { it } from 'vitest';
import { startPreview } from '../../src/preview/index.js';
import { launchChromium } from '../helpers/chromium.js';
it('smoke', async () => {
  const p = await startPreview({ module: 'generated/orders-api', log: () => {} });
  const b = await launchChromium();
  for (const url of [p.site, p.foreignSite]) {
    const page = await b.newPage();
    page.on('console', (m) => console.log('CONSOLE', m.text().slice(0, 300)));
    await page.goto(url);
    await page.waitForFunction(() => (window as any).__corsPreview?.done === true, undefined, { timeout: 30000 });
    const state = await page.evaluate(() => (window as any).__corsPreview);
    console.log(JSON.stringify(state.results.map((r: any) => [r.id, r.ok, r.status, r.exposed, r.reasons]), null, 0));
    await page.screenshot({ path: `.tmp/${url === p.site ? 'site' : 'foreign'}.png`, fullPage: true });
  }
  await b.close();
  await p.close();
}, 60000);
