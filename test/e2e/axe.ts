import fs from 'node:fs';
import { createRequire } from 'node:module';
import type { Browser, Page } from 'playwright-core';
import { chromium } from 'playwright-core';

export const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser', process.env.CHROMIUM_PATH ?? ''].find(
  (p) => p && fs.existsSync(p),
);
/** Skip reason when no browser is installed, except in CI where a missing browser must fail. */
export const NO_BROWSER = !CHROMIUM && !process.env.CI ? 'Chromium absent (apt-get install chromium)' : false;

const axeSource = fs.readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** `webgl`: software WebGL (SwiftShader) for the MapLibre maps. */
export function launch(o: { webgl?: boolean } = {}): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM!,
    args: [
      '--headless',
      '--no-sandbox',
      ...(o.webgl ? [] : ['--disable-gpu']),
      '--disable-background-networking',
      '--disable-quic',
      '--no-first-run',
      '--disable-component-update',
      '--disable-sync',
      ...(o.webgl ? ['--use-angle=swiftshader', '--enable-unsafe-swiftshader', '--ignore-gpu-blocklist'] : []),
    ],
  });
}

/** A page whose context lets axe be injected (the site's own CSP rightly forbids inline scripts). */
export async function pageForAxe(browser: Browser): Promise<Page> {
  return (await browser.newContext({ bypassCSP: true })).newPage();
}

/** Runs axe-core on the page; returns serious and critical violations only. */
export async function seriousViolations(page: Page) {
  await page.addScriptTag({ content: axeSource });
  const result = await page.evaluate(async () => {
    // @ts-expect-error axe is injected above
    const r = await window.axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v: { id: string; impact: string; help: string; nodes: { target: string[] }[] }) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      targets: v.nodes.slice(0, 3).map((n) => n.target.join(' ')),
    }));
  });
  return (result as { id: string; impact: string }[]).filter((v) => v.impact === 'serious' || v.impact === 'critical');
}
