import { spawn } from 'node:child_process';
import { BIN, plainEnv } from './capture.js';

export interface PtyRun {
  readonly code: number | null;
  /** Everything the terminal showed, prompts and echo included. */
  readonly screen: string;
}

/**
 * Runs `node dist/cli/bin.js <args>` on a pseudo-terminal (util-linux `script`), so stdin and stdout are TTYs
 * as they are for a person, and types each answer once the screen ends with the next prompt ("...): ").
 */
export function runOnPty(
  args: readonly string[],
  answers: readonly string[],
  options: { cwd: string; env?: Record<string, string | undefined> },
): Promise<PtyRun> {
  const quoted = [process.execPath, BIN, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  const child = spawn('script', ['-qefc', quoted, '/dev/null'], {
    cwd: options.cwd,
    env: plainEnv({ TERM: 'xterm', ...options.env }),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const pending = [...answers];
  let screen = '';
  // Where the last answered prompt ended on screen: a prompt is answered once, when the screen ends with it
  // (trailing cursor moves aside). Counting every "): " would also count one inside a warning printed before the
  // questions and type an answer ahead of its prompt.
  let answeredAt = -1;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`no exit within 20 s; the screen so far:\n${screen}`));
    }, 20_000);
    const onData = (d: Buffer) => {
      screen += d.toString();
      const shown = screen.replace(/(?:\x1b\[[0-9;?]*[A-Za-z])+$/, '');
      if (shown.endsWith('): ') && shown.length !== answeredAt && pending.length > 0) {
        answeredAt = shown.length;
        const answer = pending.shift()!;
        setTimeout(() => child.stdin.write(answer), 20);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, screen });
    });
  });
}
