/** The shared Chromium helper: it fails in CI when the browser is missing, and cleans up its profile. */
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { chromiumOrSkip, launchChromium, CHROMIUM_ARGS } from '../support/chromium.js';

const missing = path.join(tmpdir(), 'cors-gen-no-such-chromium');

afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

describe('chromiumOrSkip', () => {
  it('throws under CI=true when Chromium is missing, so browser tests never skip in CI', () => {
    vi.stubEnv('CI', 'true');
    expect(() => chromiumOrSkip(missing)).toThrow(/never skip in CI/);
  });

  it('skips with a message that says how to install it elsewhere', () => {
    vi.stubEnv('CI', '');
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const result = chromiumOrSkip(missing);
    expect(result.available).toBe(false);
    expect(result.reason).toMatch(/apt-get install chromium/);
    expect(warn).toHaveBeenCalledWith(expect.stringMatching(/skipping browser tests/));
  });

  it('refuses to launch a missing binary with a clear error', async () => {
    await expect(launchChromium({ executablePath: missing })).rejects.toThrow(/Chromium not found/);
  });

  it('uses quiet, loopback-only flags', () => {
    expect(CHROMIUM_ARGS).toEqual(
      expect.arrayContaining([
        '--headless',
        '--no-sandbox',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-quic',
      ]),
    );
  });
});

const browser = chromiumOrSkip();

describe.runIf(browser.available)('launchChromium', () => {
  it('starts with a fresh profile and deletes it on close', async () => {
    const chromium = await launchChromium();
    try {
      expect(existsSync(chromium.userDataDir)).toBe(true);
      const page = await chromium.newPage();
      expect(await page.evaluate(() => navigator.userAgent)).toMatch(/HeadlessChrome|Chrome/);
    } finally {
      await chromium.close();
    }
    expect(existsSync(chromium.userDataDir)).toBe(false);
    await chromium.close(); // twice is harmless
  });
});
