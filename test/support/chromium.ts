/**
 * Launches Debian's Chromium through playwright-core for browser tests. No test tool downloads a browser: the
 * binary comes from `apt-get install chromium` (see .ci/run).
 *
 * Usage, one launch per test file:
 *
 *   const browser = chromiumOrSkip();              // at module level: decides whether the suite runs
 *   describe.runIf(browser.available)('...', () => {
 *     let chromium: LaunchedChromium;
 *     beforeAll(async () => { chromium = await launchChromium(); });
 *     afterAll(async () => { await chromium.close(); });
 *     ...
 *   });
 *
 * When the binary is missing, a run with CI=true fails (a browser suite must never be skipped silently in CI);
 * elsewhere the suite is skipped with a message that says how to install it.
 */
import { createHash, X509Certificate } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM_PATH = '/usr/bin/chromium';

/**
 * Flags for a quiet, deterministic browser: no background traffic (component updates, sync, QUIC probing) that
 * would leave loopback, no GPU, and no sandbox because CI containers run as root.
 */
export const CHROMIUM_ARGS: readonly string[] = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-quic',
  '--no-first-run',
  '--disable-sync',
];

export interface ChromiumAvailability {
  readonly available: boolean;
  /** Why the suite does not run; undefined when it does. */
  readonly reason?: string;
}

function isCi(): boolean {
  return process.env.CI === 'true' || process.env.CI === '1';
}

/**
 * Decides whether browser tests can run. Throws under CI when Chromium is missing, so the test file fails
 * instead of skipping; otherwise logs why the suite is skipped.
 */
export function chromiumOrSkip(executablePath: string = CHROMIUM_PATH): ChromiumAvailability {
  if (existsSync(executablePath)) return { available: true };
  const reason = `Chromium not found at ${executablePath}; install it with "apt-get install chromium" to run the browser tests.`;
  if (isCi()) throw new Error(`${reason} Browser tests never skip in CI (CI=true).`);
  console.warn(`skipping browser tests: ${reason}`);
  return { available: false, reason };
}

export interface LaunchedChromium {
  readonly context: BrowserContext;
  /** The temporary profile, deleted by close(). */
  readonly userDataDir: string;
  newPage(): Promise<Page>;
  /** Closes the browser and deletes its profile. Safe to call twice. */
  close(): Promise<void>;
}

/**
 * Starts Chromium with a fresh temporary profile (nothing cached or remembered between test files). `args` are
 * added after CHROMIUM_ARGS, e.g. `--ignore-certificate-errors-spki-list=<base64 SHA-256 of a key>` to trust
 * exactly one test certificate (see {@link spkiHash}).
 */
export async function launchChromium(
  options: { executablePath?: string; args?: readonly string[] } = {},
): Promise<LaunchedChromium> {
  const executablePath = options.executablePath ?? CHROMIUM_PATH;
  if (!existsSync(executablePath)) {
    throw new Error(`Chromium not found at ${executablePath}; install it with "apt-get install chromium".`);
  }
  const userDataDir = await mkdtemp(path.join(tmpdir(), 'cors-gen-chromium-'));
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath,
      headless: true,
      args: [...CHROMIUM_ARGS, ...(options.args ?? [])],
    });
  } catch (e) {
    await rm(userDataDir, { recursive: true, force: true });
    throw e;
  }
  let closed = false;
  return {
    context,
    userDataDir,
    newPage: () => context.newPage(),
    async close() {
      if (closed) return;
      closed = true;
      await context.close();
      await rm(userDataDir, { recursive: true, force: true });
    },
  };
}

/**
 * The base64 SHA-256 of a PEM certificate's SubjectPublicKeyInfo: what Chromium's
 * `--ignore-certificate-errors-spki-list` takes, so the browser trusts that one key and no other.
 */
export function spkiHash(certificatePem: string): string {
  const spki = new X509Certificate(certificatePem).publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(spki).digest('base64');
}
