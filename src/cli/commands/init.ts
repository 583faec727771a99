import type { Command } from 'commander';
import { Option } from 'commander';
import path from 'node:path';
import { API_KINDS, RUNTIMES, type ApiKind, type Runtime } from '../../spec/model.js';
import { formatIssue } from '../../spec/issue.js';
import { action, type CliContext } from '../main.js';
import { EXIT } from '../errors.js';
import { paint } from '../output.js';
import { isOriginProblem, parseOriginEntry } from '../../cors/origin.js';

interface InitFlags {
  dir: string;
  name?: string;
  api?: ApiKind;
  origin?: string[];
  credentials?: boolean;
  runtime?: Runtime;
  frontend?: boolean;
  yes?: boolean;
  force?: boolean;
}

export function registerInit(program: Command, ctx: CliContext): void {
  program
    .command('init')
    .description('Write a starter cors-gen.yaml. Asks on a terminal; --yes (or no terminal) takes the flags and defaults.')
    .option('-d, --dir <dir>', 'folder to write cors-gen.yaml into', '.')
    .option('-n, --name <name>', 'API name (default: from the folder name)')
    .addOption(new Option('--api <kind>', 'rest, http or function-url (default: rest)').choices(API_KINDS))
    .option('-o, --origin <origin>', 'an allowed origin, e.g. https://app.example.com (repeatable)', collect)
    .option('--credentials', 'allow cookies and Authorization (never with "*")')
    .addOption(new Option('--runtime <runtime>', 'Lambda runtime (default: nodejs22.x)').choices(RUNTIMES))
    .option('--no-frontend', 'no S3 website bucket for the frontend')
    .option('-y, --yes', 'do not ask; use flags and defaults')
    .option('-f, --force', 'overwrite an existing spec')
    .action(
      action(ctx, async (flags: InitFlags) => {
        let answers: InitFlags = flags;
        // Prompts are written to stderr, so that is the stream that must be a terminal (stdout may be piped).
        if (!flags.yes && process.stdin.isTTY && process.stderr.isTTY) {
          try {
            answers = await ask(flags);
          } catch (e) {
            // Ctrl+C or Ctrl+D at a prompt: the user's choice, not a bug.
            if ((e as Error).name !== 'AbortError') throw e;
            ctx.output.err(`\ninit cancelled; nothing was written.`);
            return EXIT.failed;
          }
        }
        const { init } = await import('../../commands/init.js');
        const result = await init({
          dir: answers.dir,
          name: answers.name,
          api: answers.api,
          origins: answers.origin,
          credentials: answers.credentials,
          runtime: answers.runtime,
          frontend: answers.frontend,
          force: answers.force,
        });
        if (!result.ok && result.reason === 'exists') {
          ctx.output.err(`${paint(ctx.output, 'red', 'error')} ${result.file} already exists; it was left as it is. Pass --force to overwrite it.`);
          return EXIT.failed;
        }
        if (!result.ok) {
          // The file does not exist, so a line number in it would mislead: name the flag (or answer) instead.
          for (const e of result.errors) ctx.output.err(`${paint(ctx.output, 'red', 'error')} ${flagFor(e.path)} ${formatIssue({ ...e, file: undefined, path: '' })}`);
          ctx.output.err(`${result.file} was not written: fix the ${answers === flags ? 'flags' : 'answers'} above.`);
          return EXIT.failed;
        }
        for (const w of result.warnings) ctx.output.err(`${paint(ctx.output, 'yellow', 'warning')} ${formatIssue(w)}`);
        ctx.output.err(`${paint(ctx.output, 'green', 'wrote')} ${result.file}\nNext: edit it, then run "cors-gen generate${result.file === 'cors-gen.yaml' ? '' : ` --spec ${result.file}`}".`);
        return EXIT.ok;
      }),
    );
}

/** The flag (and prompt) that produced a value of the starter spec. */
function flagFor(specPath: string): string {
  if (specPath === 'name') return '--name:';
  if (/allowOrigins/.test(specPath)) return '--origin:';
  if (specPath === 'cors.allowCredentials') return '--credentials:';
  if (specPath === 'api') return '--api:';
  if (specPath.startsWith('lambda.runtime')) return '--runtime:';
  return specPath ? `${specPath}:` : '';
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, ...value.split(',').map((v) => v.trim()).filter(Boolean)];
}

/** Interactive prompts, each defaulting to the flag's value so flags and prompts combine. */
async function ask(flags: InitFlags): Promise<InitFlags> {
  const { createInterface } = await import('node:readline/promises');
  const { specNameFrom } = await import('../../commands/init.js');
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const q = async (question: string, fallback: string) => (await rl.question(`${question} (${fallback}): `)).trim() || fallback;
    const name = await q('API name', flags.name ?? specNameFrom(path.basename(path.resolve(flags.dir))));
    let api = flags.api ?? 'rest';
    for (;;) {
      const a = await q(`API type [${API_KINDS.join('/')}]`, api);
      if ((API_KINDS as readonly string[]).includes(a)) {
        api = a as ApiKind;
        break;
      }
      process.stderr.write(`  "${a}" is not one of ${API_KINDS.join(', ')}\n`);
    }
    let origins: string[] = [];
    for (let fallback = (flags.origin ?? ['https://app.example.com', 'http://localhost:3000']).join(','); ; ) {
      origins = (await q('Allowed origins, comma-separated', fallback))
        .split(',')
        .map((o) => o.trim())
        .filter(Boolean);
      const problems = origins.flatMap((o) => {
        const entry = parseOriginEntry(o);
        return isOriginProblem(entry) ? [`  "${o}" ${entry.reason}${entry.fix ? `; write "${entry.fix}"` : ''}\n`] : [];
      });
      if (problems.length === 0) break;
      for (const p of problems) process.stderr.write(p);
      // Offer the corrected list; an entry without a correction (such as "null") is dropped from the offer.
      const offer = origins.flatMap((o) => {
        const entry = parseOriginEntry(o);
        return isOriginProblem(entry) ? (entry.fix ? [entry.fix] : []) : [o];
      });
      if (offer.length > 0) fallback = offer.join(',');
    }
    const credentials = /^y/i.test(await q('Allow credentials (cookies, Authorization)? [y/n]', flags.credentials ? 'y' : 'n'));
    let runtime = flags.runtime ?? 'nodejs22.x';
    for (;;) {
      const r = await q(`Lambda runtime [${RUNTIMES.join('/')}]`, runtime);
      if ((RUNTIMES as readonly string[]).includes(r)) {
        runtime = r as Runtime;
        break;
      }
      process.stderr.write(`  "${r}" is not one of ${RUNTIMES.join(', ')}\n`);
    }
    const frontend = !/^n/i.test(await q('S3 website bucket for the frontend? [y/n]', flags.frontend === false ? 'n' : 'y'));
    return { ...flags, name, api, origin: origins, credentials, runtime, frontend };
  } finally {
    rl.close();
  }
}
