import type { Command } from 'commander';
import path from 'node:path';
import type { InitOptions, InitRoute, OriginPlacement } from '../../spec/init.js';
import { API_KINDS, ROUTE_METHODS, RUNTIMES, type ApiKind, type Runtime } from '../../spec/model.js';
import { formatIssue, type SpecIssue } from '../../spec/issue.js';
import { action, type CliContext, type Outcome } from '../context.js';
import { UsageError } from '../../errors.js';
import { paint, type Output } from '../output.js';

interface InitFlags {
  dir: string;
  name?: string;
  api?: string;
  origin?: string[];
  credentials?: boolean;
  runtime?: string;
  frontend?: boolean;
  route?: string[];
  header?: string[];
  yes?: boolean;
  force?: boolean;
  fromOpenapi?: string;
  basePath?: string;
  source?: string;
  handler?: string;
}

/** One line on which target to pick, shown with the API type prompt and in --help. */
const API_HINT =
  'rest: full control (wildcard origins, API Gateway errors with CORS); http: cheaper and simpler; function-url: one Lambda, no gateway';

export function registerInit(program: Command, ctx: CliContext): void {
  program
    .command('init')
    .description(
      'Write a starter cors-gen.yaml. Asks on a terminal; --yes (or no terminal) takes the flags and defaults.',
    )
    .option('-d, --dir <dir>', 'folder to write cors-gen.yaml into', '.')
    .option('-n, --name <name>', 'API name (default: from the folder name)')
    .option('--api <kind>', `rest, http or function-url, in any case (default: rest). ${API_HINT}`)
    .option(
      '-o, --origin <origin>',
      'an allowed origin, e.g. https://app.example.com (repeatable); localhost goes to stages.dev',
      collect,
    )
    .option(
      '--route <route>',
      'a route as "METHODS PATH", e.g. "GET,POST /users" (repeatable; default: /items examples)',
      collectWhole,
    )
    .option(
      '--header <name>',
      'a request header the frontend sends, e.g. X-Api-Key (repeatable; default: Content-Type, Authorization)',
      collect,
    )
    .option('--credentials', 'allow cookies and Authorization (never with "*")')
    .option('--runtime <runtime>', `Lambda runtime: ${RUNTIMES.join(', ')} (default: nodejs22.x)`)
    .option('--no-frontend', 'no S3 website bucket for the frontend')
    .option(
      '--from-openapi <file>',
      'take the routes, their authorizers and request headers from an OpenAPI 3.0/3.1 or Swagger 2.0 document (YAML or JSON; a path from the current folder, inside the repository of the spec, which names it relative to its own folder); the API type comes from --api',
    )
    .option(
      '--base-path <mode>',
      "with --from-openapi: prepend (routes keep the document's basePath or server path) or ignore",
      'prepend',
    )
    .option(
      '--source <dir>',
      'the folder of your existing handler code (a path from the current folder, inside the repository; e.g. backend/dist), deployed as it is instead of the generated starter; with --handler',
    )
    .option('--handler <file.export>', 'your handler as Lambda writes it, relative to --source, e.g. src/app.handler')
    .option('-y, --yes', 'do not ask; use flags and defaults')
    .option('-f, --force', 'overwrite an existing spec')
    .action(
      action(ctx, async (flags: InitFlags, command: Command) => {
        // Flags the user typed, so that a message never names one they did not (defaults come from elsewhere).
        const typed = new Set(
          command.options.filter((o) => command.getOptionValueSource(o.attributeName()) === 'cli').map((o) => o.long!),
        );
        let options = fromFlags(flags);
        // Prompts are written to stderr, so that is the stream that must be a terminal (stdout may be piped).
        const interactive = !flags.yes && process.stdin.isTTY === true && process.stderr.isTTY === true;
        const o = ctx.output;
        const refuse = (file: string): Outcome => {
          o.err(
            `${paint(o, 'red', 'error')} ${file} already exists; it was left as it is. Pass --force to overwrite it.`,
          );
          return 'invalid';
        };
        let answers = options;
        const { init, existingSpec } = await import('../../spec/init.js');
        // Before any question: the answers would be thrown away.
        const existing = options.force ? undefined : existingSpec(options.dir);
        if (existing) return refuse(existing);
        if (flags.fromOpenapi !== undefined) {
          const adopted = await fromOpenApi(options, flags, typed);
          for (const w of adopted.warnings) o.err(`${paint(o, 'yellow', 'warning')} ${formatIssue(w)}`);
          options = adopted.options;
          answers = options;
        }
        if (interactive) {
          try {
            answers = await ask(options, ctx.output, flags.fromOpenapi !== undefined);
          } catch (e) {
            // Ctrl+C or Ctrl+D at a prompt: the user's choice, not a bug.
            if ((e as Error).name !== 'AbortError') throw e;
            o.err(`\ninit cancelled; nothing was written.`);
            return 'invalid';
          }
        }
        const result = await init(answers);
        if (!result.ok && result.reason === 'exists') return refuse(result.file);
        if (!result.ok) {
          // The file does not exist, so a line number in it would mislead: name the flag (or the spec key) instead.
          for (const e of result.errors)
            o.err(
              `${paint(o, 'red', 'error')} ${sourceOf(e.path, typed)} ${formatIssue({ ...e, file: undefined, path: '', ...(e.fix !== undefined ? { fix: inFlags(e.fix, typed) } : {}) })}`,
            );
          o.err(`${result.file} was not written: fix the ${interactive ? 'answers' : 'flags'} above.`);
          return 'invalid';
        }
        if (!interactive) printPlacements(o, result.origins);
        for (const w of result.warnings) o.err(`${paint(o, 'yellow', 'warning')} ${formatIssue(w)}`);
        o.err(
          `${paint(o, 'green', 'wrote')} ${result.file}${result.schemaWritten ? ` and ${result.schemaWritten} (the editor schema; "cors-gen schema" refreshes it after an upgrade)` : ''}`,
        );
        o.err(
          `Next: edit it, then run "cors-gen generate${result.file === 'cors-gen.yaml' ? '' : ` --spec ${result.file}`}".`,
        );
        return 'ok';
      }),
    );
}

/**
 * The options with the routes, authorizers and request headers of an OpenAPI document. Flags the user typed win
 * (--name, --header); what the document has that the spec cannot keep is printed as warnings.
 */
async function fromOpenApi(
  options: InitOptions,
  flags: InitFlags,
  typed: ReadonlySet<string>,
): Promise<{ options: InitOptions; warnings: readonly SpecIssue[] }> {
  const api = options.api ?? 'rest';
  if (api === 'function-url')
    throw new UsageError('--from-openapi needs --api rest or http: a Function URL has no routes', {
      code: 'invalid-argument',
      fix: 'leave out --api function-url',
    });
  const basePath = choice(flags.basePath ?? 'prepend', ['prepend', 'ignore'] as const);
  if (!basePath)
    throw new UsageError(`--base-path "${flags.basePath}" is not prepend or ignore`, {
      code: 'invalid-argument',
      fix: 'write --base-path prepend or --base-path ignore',
    });
  const { adoptOpenApiFile } = await import('../../openapi/index.js');
  const { specNameFrom, SPEC_FILE_NAME, DEFAULT_HEADERS } = await import('../../spec/init.js');
  const adopted = await adoptOpenApiFile({
    file: flags.fromOpenapi!,
    specFile: path.join(path.resolve(options.dir), SPEC_FILE_NAME),
    api,
    basePath,
  });
  const headers = new Map([...DEFAULT_HEADERS, ...adopted.headers].map((h) => [h.toLowerCase(), h]));
  const adoptedOptions: InitOptions = {
    ...options,
    api,
    ...(!typed.has('--name') && adopted.title !== undefined && specNameFrom(adopted.title) !== 'my-api'
      ? { name: specNameFrom(adopted.title) }
      : {}),
    routes: adopted.routes,
    authorizers: adopted.authorizers,
    ...(typed.has('--header') ? {} : { headers: [...headers.values()] }),
    source: adopted.fromSpec,
  };
  return { options: adoptedOptions, warnings: adopted.warnings };
}

/** The flag, or else the spec key, that produced a value of the starter spec. */
function sourceOf(specPath: string, typed: ReadonlySet<string>): string {
  const flag = FLAG_OF.find(([re]) => re.test(specPath))?.[1];
  if (flag && typed.has(flag)) return `${flag}:`;
  return specPath ? `${specPath}:` : '';
}

/** A fix in spec words, said in the flags the user typed: the spec does not exist yet. */
function inFlags(fix: string, typed: ReadonlySet<string>): string {
  return typed.has('--credentials') ? fix.replace('set cors.allowCredentials: false', 'leave out --credentials') : fix;
}

const FLAG_OF: ReadonlyArray<readonly [RegExp, string]> = [
  [/^name$/, '--name'],
  [/allowOrigins/, '--origin'],
  [/^cors\.allowCredentials$/, '--credentials'],
  [/^cors\.allowHeaders/, '--header'],
  [/^routes/, '--route'],
  [/^api$/, '--api'],
  [/^lambda\.runtime/, '--runtime'],
  [/^lambda\.source/, '--source'],
  [/^lambda\.handler/, '--handler'],
];

function collect(value: string, previous: string[] = []): string[] {
  return [
    ...previous,
    ...value
      .split(',')
      .map((v) => v.trim())
      .filter(Boolean),
  ];
}

function collectWhole(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** `--api REST` is `rest`: the choice is obvious, so case does not matter. */
function choice<T extends string>(value: string, choices: readonly T[]): T | undefined {
  return choices.find((c) => c === value.trim().toLowerCase());
}

function fromFlags(flags: InitFlags): InitOptions {
  const api = flags.api === undefined ? undefined : choice(flags.api, API_KINDS);
  if (flags.api !== undefined && !api)
    throw new UsageError(`--api "${flags.api}" is not one of ${API_KINDS.join(', ')}`, {
      code: 'invalid-argument',
      fix: API_HINT,
    });
  const runtime = flags.runtime === undefined ? undefined : choice(flags.runtime, RUNTIMES);
  if (flags.runtime !== undefined && !runtime)
    throw new UsageError(`--runtime "${flags.runtime}" is not one of ${RUNTIMES.join(', ')}`, {
      code: 'invalid-argument',
      fix: `write one of ${RUNTIMES.join(', ')}`,
    });
  const routes = flags.route?.map((r) => {
    const parsed = parseRoute(r);
    if ('problem' in parsed)
      throw new UsageError(`--route "${r}": ${parsed.problem}`, {
        code: 'invalid-argument',
        fix: 'write it as "METHODS PATH", e.g. --route "GET,POST /users"',
      });
    return parsed;
  });
  if ((flags.source === undefined) !== (flags.handler === undefined))
    throw new UsageError(
      `${flags.source === undefined ? '--handler' : '--source'} needs ${flags.source === undefined ? '--source' : '--handler'}`,
      {
        code: 'missing-argument',
        fix: 'give both, e.g. --source backend --handler src/app.handler, or neither for the generated starter handler',
      },
    );
  return {
    dir: flags.dir,
    ...(flags.source !== undefined && flags.handler !== undefined
      ? {
          // Typed from the current folder; the spec names it from its own folder.
          lambda: {
            source: path.relative(path.resolve(flags.dir), path.resolve(flags.source)).split(path.sep).join('/') || '.',
            handler: flags.handler,
          },
        }
      : {}),
    ...(flags.name !== undefined ? { name: flags.name } : {}),
    ...(api ? { api } : {}),
    ...(flags.origin ? { origins: flags.origin } : {}),
    ...(flags.credentials ? { credentials: true } : {}),
    ...(runtime ? { runtime } : {}),
    ...(flags.frontend === false ? { frontend: false } : {}),
    ...(routes ? { routes } : {}),
    ...(flags.header ? { headers: flags.header } : {}),
    ...(flags.force ? { force: true } : {}),
  };
}

/** `GET,POST /users` -> a route; methods in any case. The path itself is checked with the whole spec. */
export function parseRoute(text: string): InitRoute | { problem: string } {
  const m = /^\s*([A-Za-z]+(?:\s*,\s*[A-Za-z]+)*)\s+(\S+)\s*$/.exec(text);
  if (!m) return { problem: 'expected methods, a space and a path, e.g. "GET,POST /users"' };
  const methods = m[1]!.split(',').map((x) => x.trim().toUpperCase());
  const unknown = methods.find((x) => !(ROUTE_METHODS as readonly string[]).includes(x));
  if (unknown)
    return {
      problem: `"${unknown}" is not one of ${ROUTE_METHODS.join(', ')}${unknown === 'OPTIONS' ? ' (cors-gen answers OPTIONS itself)' : ''}`,
    };
  return { path: m[2]!, methods: [...new Set(methods)] };
}

function printPlacements(o: Output, placements: readonly OriginPlacement[]): void {
  for (const p of placements) o.err(`  ${p.origin} -> ${p.to} (${p.why})`);
}

/** Which prompt an issue of the drafted spec belongs to, by its spec path. */
type Question = 'name' | 'api' | 'origins' | 'credentials' | 'routes' | 'headers' | 'runtime';
function questionOf(specPath: string): Question | undefined {
  if (specPath === 'name') return 'name';
  if (specPath === 'api') return 'api';
  if (/allowOrigins/.test(specPath)) return 'origins';
  if (specPath === 'cors.allowCredentials') return 'credentials';
  if (specPath.startsWith('routes')) return 'routes';
  if (specPath.startsWith('cors.allowHeaders')) return 'headers';
  if (specPath.startsWith('lambda.runtime')) return 'runtime';
  return undefined;
}

/**
 * Interactive prompts, each defaulting to the flag's value so flags and prompts combine. Each answer is checked
 * with the same rules as `validate` (by drafting the spec with it) as soon as it is given; a wrong answer is
 * asked again, with the problem and its fix as the new default, and every other answer is kept.
 */
async function ask(initial: InitOptions, o: Output, adopted = false): Promise<InitOptions> {
  const { createInterface } = await import('node:readline/promises');
  const { draftSpec, specNameFrom, DEFAULT_ORIGINS, DEFAULT_HEADERS, DEFAULT_ROUTES } =
    await import('../../spec/init.js');
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  const say = (text: string) => o.err(text);
  let answers: InitOptions = initial;
  /** Problems the drafted spec has with this answer, or none. */
  const problems = (question: Question, draft: InitOptions): SpecIssue[] => {
    const { result } = draftSpec(draft);
    return result.ok ? [] : result.errors.filter((e) => questionOf(e.path) === question);
  };
  const show = (issues: readonly SpecIssue[]) => {
    for (const e of issues) say(`  ${paint(o, 'red', 'error')} ${formatIssue({ ...e, file: undefined })}`);
  };
  const q = async (question: string, fallback: string) =>
    (await rl.question(`${question} (${fallback}): `)).trim() || fallback;

  const askName = async (fallback: string) => {
    for (;;) {
      const name = await q('API name', fallback);
      const wrong = problems('name', { ...answers, name });
      if (wrong.length === 0) return name;
      show(wrong);
      fallback = specNameFrom(name);
    }
  };
  const askApi = async (fallback: string): Promise<ApiKind> => {
    say(`  ${API_HINT}`);
    for (;;) {
      const a = await q(`API type [${API_KINDS.join('/')}]`, fallback);
      const api = choice(a, API_KINDS);
      if (api) return api;
      say(`  "${a}" is not one of ${API_KINDS.join(', ')}`);
    }
  };
  const askOrigins = async (fallback: readonly string[]): Promise<string[]> => {
    let offer = fallback.join(',');
    for (;;) {
      const origins = (await q('Allowed origins, comma-separated', offer))
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean);
      const wrong = problems('origins', { ...answers, origins });
      if (wrong.length === 0) {
        for (const p of draftSpec({ ...answers, origins }).origins) say(`  ${p.origin} -> ${p.to} (${p.why})`);
        return origins;
      }
      show(wrong);
      // Offer the list with each fix applied; an origin without a fix (such as "null") is left out of the offer.
      // An error's index counts within the list the origin was placed in (production or stages.dev), not the answer.
      const placed = draftSpec({ ...answers, origins }).origins;
      const answerIndex = (list: OriginPlacement['to'], i: number) =>
        placed.map((p, j) => (p.to === list ? j : -1)).filter((j) => j >= 0)[i];
      const fixes = new Map<number, string | null>();
      for (const e of wrong) {
        const at = /^(cors\.allowOrigins|stages\.dev)(?:\.allowOrigins)?\[(\d+)\]$/.exec(e.path);
        const index = at ? answerIndex(at[1] as OriginPlacement['to'], Number(at[2])) : undefined;
        if (index !== undefined) fixes.set(index, /^write "(.*)"$/.exec(e.fix ?? '')?.[1] ?? null);
      }
      const corrected = origins.flatMap((x, i) =>
        fixes.has(i) ? (fixes.get(i) === null ? [] : [fixes.get(i)!]) : [x],
      );
      if (corrected.length > 0) offer = corrected.join(',');
    }
  };
  /** A yes/no answer; anything else (such as the answer to the next question, typed too early) is asked again. */
  const yesNo = async (question: string, fallback: boolean): Promise<boolean> => {
    for (;;) {
      const a = await q(`${question} [y/n]`, fallback ? 'y' : 'n');
      if (/^(y|yes)$/i.test(a)) return true;
      if (/^(n|no)$/i.test(a)) return false;
      say(`  "${a}" is not y or n`);
    }
  };
  const askCredentials = (fallback: boolean) => yesNo('Allow credentials (cookies, Authorization)?', fallback);
  const askRoutes = async (fallback: readonly InitRoute[]): Promise<InitRoute[]> => {
    say(`  Routes as "METHODS PATH", e.g. "GET,POST /users" or "GET /users/{id}"; an empty line ends the list.`);
    const routes: InitRoute[] = [];
    for (;;) {
      const offer = routes.length === 0 ? fallback.map((r) => `${r.methods.join(',')} ${r.path}`).join('; ') : 'done';
      const line = (await rl.question(`Route ${routes.length + 1} (${offer}): `)).trim();
      if (line === '') return routes.length > 0 ? routes : [...fallback];
      const route = parseRoute(line);
      if ('problem' in route) {
        say(`  ${paint(o, 'red', 'error')} "${line}": ${route.problem}`);
        continue;
      }
      const wrong = problems('routes', { ...answers, routes: [...routes, route] });
      if (wrong.length > 0) {
        show(wrong);
        continue;
      }
      routes.push(route);
    }
  };
  const askHeaders = async (fallback: readonly string[]): Promise<string[]> => {
    for (;;) {
      const headers = (await q('Request headers your frontend sends, comma-separated', fallback.join(',')))
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean);
      const wrong = problems('headers', { ...answers, headers });
      if (wrong.length === 0) return headers;
      show(wrong);
    }
  };
  const askRuntime = async (fallback: string): Promise<Runtime> => {
    for (;;) {
      const r = await q(`Lambda runtime [${RUNTIMES.join('/')}]`, fallback);
      const runtime = choice(r, RUNTIMES);
      if (runtime) return runtime;
      say(`  "${r}" is not one of ${RUNTIMES.join(', ')}`);
    }
  };

  try {
    answers = {
      ...answers,
      name: await askName(answers.name ?? specNameFrom(path.basename(path.resolve(answers.dir)))),
    };
    // Adopted routes and authorizers were mapped for the API type of --api; they are not asked again.
    if (adopted)
      say(`  API type: ${answers.api} (routes and authorizers come from ${answers.source ?? 'the document'})`);
    else answers = { ...answers, api: await askApi(answers.api ?? 'rest') };
    answers = { ...answers, origins: await askOrigins(answers.origins ?? DEFAULT_ORIGINS) };
    answers = { ...answers, credentials: await askCredentials(answers.credentials ?? false) };
    if (answers.api !== 'function-url' && !adopted)
      answers = { ...answers, routes: await askRoutes(answers.routes ?? DEFAULT_ROUTES) };
    answers = { ...answers, headers: await askHeaders(answers.headers ?? DEFAULT_HEADERS) };
    answers = { ...answers, runtime: await askRuntime(answers.runtime ?? 'nodejs22.x') };
    answers = { ...answers, frontend: await yesNo('S3 website bucket for the frontend?', answers.frontend !== false) };
    // Answers that are wrong only together (such as "*" with credentials): ask again only the one the rule names.
    for (let round = 0; round < 10; round++) {
      const { result } = draftSpec(answers);
      if (result.ok) break;
      const question = result.errors.map((e) => questionOf(e.path)).find((x) => x !== undefined);
      if (!question) break;
      show(result.errors.filter((e) => questionOf(e.path) === question));
      if (question === 'origins')
        answers = { ...answers, origins: await askOrigins(answers.origins ?? DEFAULT_ORIGINS) };
      else if (question === 'credentials') answers = { ...answers, credentials: await askCredentials(false) };
      else if (question === 'routes' && !adopted) answers = { ...answers, routes: await askRoutes(DEFAULT_ROUTES) };
      else if (question === 'headers') answers = { ...answers, headers: await askHeaders(DEFAULT_HEADERS) };
      else if (question === 'name') answers = { ...answers, name: await askName(answers.name ?? 'my-api') };
      else break;
    }
    return answers;
  } finally {
    rl.close();
  }
}
