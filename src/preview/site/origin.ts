/**
 * Which origin the demo page is served on, and with which stage's values. A module with an S3 website or a
 * CloudFront distribution allows the site's origin, and the site server stands in for it. A module without one
 * (an app hosted elsewhere) allows only the origins it lists, so the page must be served on one of them: this
 * machine can serve `http://127.0.0.1:<port>`, and `http://localhost:<port>` too, because browsers resolve
 * `localhost` to loopback themselves (RFC 6761 section 6.3; https://www.rfc-editor.org/rfc/rfc6761#section-6.3).
 * Any other origin (https, a remote host) cannot be served here, and the preview says which origin to add instead
 * of serving a page that the module would block.
 */
import type { HclValue } from '../../terraform/expression/ast.js';
import { isList } from '../../terraform/expression/values.js';
import { ModuleError, PreviewSetupError } from '../errors.js';
import type { ModuleDocument } from '../module/load.js';
import { loadStageValues, moduleStages, ModuleResolver } from '../module/resolve.js';

/** An allowed origin this machine can serve: `http://localhost:<port>` or `http://127.0.0.1:<port>`. */
export interface LocalOrigin {
  readonly origin: string;
  /** 0 when the module allows every origin (`*`): any free port will do. */
  readonly port: number;
}

const ANY_LOCAL: LocalOrigin = { origin: 'http://127.0.0.1:0', port: 0 };

export interface OriginChoice {
  /** The stage whose values the preview uses; undefined for the module's defaults. */
  readonly stage: string | undefined;
  /** True when no stage was asked for and this one was taken because it alone has a local origin. */
  readonly stageChosen: boolean;
  readonly stageValues: Map<string, HclValue>;
  /** The local origins the module allows with those values, in its order; empty when it hosts the site. */
  readonly local: readonly LocalOrigin[];
}

/** The port suggested when the module allows no local origin: Vite's default, the most common dev server. */
export const SUGGESTED_PORT = 5173;

export function localOrigin(origin: string): LocalOrigin | undefined {
  const m = /^http:\/\/(?:localhost|127\.0\.0\.1):(\d{1,5})$/.exec(origin);
  const port = Number(m?.[1]);
  return m && port >= 1 && port <= 65535 ? { origin, port } : undefined;
}

/** `var.allowed_origins` with a stage's values (the module's documented input; the API itself has the last word). */
function allowedOrigins(doc: ModuleDocument, values: ReadonlyMap<string, HclValue>): string[] {
  if (!doc.variables.has('allowed_origins')) return [];
  const value = new ModuleResolver(doc, { apiOrigin: 'http://127.0.0.1:1', siteHost: '127.0.0.1:2' }, values).variable(
    'allowed_origins',
  );
  return isList(value) ? value.filter((o): o is string => typeof o === 'string') : [];
}

const locals = (allowed: readonly string[]): LocalOrigin[] =>
  allowed.includes('*') ? [ANY_LOCAL] : allowed.map(localOrigin).filter((o): o is LocalOrigin => o !== undefined);

/** Regenerating, then previewing again: the commands name the spec unless it is the one found by default. */
function regenerateThenPreview(spec: string | undefined, flags: string): string {
  const named =
    spec !== undefined && spec !== 'the spec' && !['cors-gen.yaml', 'cors-gen.yml', 'cors-gen.json'].includes(spec)
      ? ` --spec ${spec}`
      : '';
  return `run "cors-gen generate${named}", then "cors-gen preview${named}${flags}"`;
}

/** Where a stage's origins are written in the spec. */
export function specOrigins(stage: string | undefined): string {
  return stage === undefined ? 'cors.allowOrigins' : `stages.${stage}.allowOrigins`;
}

/**
 * Chooses the stage and the local origins to serve the page on. `stage` is the one asked for; without it the
 * defaults are used when they allow a local origin, else the only stage that does.
 */
export async function chooseOrigins(
  doc: ModuleDocument,
  options: { stage?: string; hostsSite: boolean; spec?: string },
): Promise<OriginChoice> {
  if (
    options.stage !== undefined &&
    /^[A-Za-z0-9_-]+$/.test(options.stage) &&
    !options.hostsSite &&
    (await moduleStages(doc)).length === 0
  ) {
    // "Leave --stage out" (what loadStageValues advises) only helps when the defaults allow a local origin;
    // otherwise the preview would fail again, so the advice is the stage that was asked for.
    const defaults = allowedOrigins(doc, new Map());
    if (locals(defaults).length === 0)
      throw await noLocalOrigin(doc, [{ stage: undefined, allowed: defaults }], options.stage, options.spec);
  }
  if (options.stage !== undefined || options.hostsSite) {
    const stageValues =
      options.stage === undefined ? new Map<string, HclValue>() : await loadStageValues(doc, options.stage);
    if (options.hostsSite) return { stage: options.stage, stageChosen: false, stageValues, local: [] };
    const allowed = allowedOrigins(doc, stageValues);
    const local = locals(allowed);
    if (local.length === 0)
      throw await noLocalOrigin(doc, [{ stage: options.stage, allowed }], options.stage, options.spec);
    return { stage: options.stage, stageChosen: false, stageValues, local };
  }
  const defaults = allowedOrigins(doc, new Map());
  if (locals(defaults).length > 0)
    return { stage: undefined, stageChosen: false, stageValues: new Map(), local: locals(defaults) };
  const stages = await Promise.all(
    (await moduleStages(doc)).map(async (stage) => {
      const stageValues = await loadStageValues(doc, stage);
      const allowed = allowedOrigins(doc, stageValues);
      return { stage, stageValues, allowed, local: locals(allowed) };
    }),
  );
  const usable = stages.filter((s) => s.local.length > 0);
  if (usable.length === 1)
    return { stage: usable[0]!.stage, stageChosen: true, stageValues: usable[0]!.stageValues, local: usable[0]!.local };
  if (usable.length > 1) {
    throw new PreviewSetupError(
      `the module's defaults allow no local origin to serve the demo page on, and several stages do: ${usable.map((s) => `${s.stage} (${s.local.map((o) => o.origin).join(', ')})`).join('; ')}`,
      {
        code: 'choose-stage',
        fix: `pass ${usable.map((s) => `--stage ${s.stage}`).join(' or ')}`,
      },
    );
  }
  throw await noLocalOrigin(doc, [{ stage: undefined, allowed: defaults }, ...stages], undefined, options.spec);
}

async function noLocalOrigin(
  doc: ModuleDocument,
  seen: readonly { stage: string | undefined; allowed: readonly string[] }[],
  asked: string | undefined,
  spec = 'the spec',
): Promise<ModuleError> {
  const what = seen
    .map(
      ({ stage, allowed }) =>
        `${stage === undefined ? 'the defaults allow' : `stage ${stage} allows`} ${allowed.join(', ') || 'no origin'}`,
    )
    .join('; ');
  const stages = await moduleStages(doc);
  const stage = asked ?? (stages.includes('dev') ? 'dev' : (stages[0] ?? 'dev'));
  const origin = `http://localhost:${SUGGESTED_PORT}`;
  const add = stages.includes(stage)
    ? `add ${origin} to ${specOrigins(stage)} in ${spec}`
    : `add a ${stage} stage to ${spec} (stages: { ${stage}: { allowOrigins: [${origin}] } })`;
  return new ModuleError(
    `no origin the module allows can be served locally (${what}): without an S3 website in the module, the preview serves its demo page on an allowed http://localhost:<port> or http://127.0.0.1:<port> origin`,
    {},
    { code: 'no-local-origin', fix: `${add}, ${regenerateThenPreview(spec, ` --stage ${stage}`)}` },
  );
}

/** `--site-port` names none of the allowed local origins. */
export function sitePortNotAllowed(
  port: number,
  local: readonly LocalOrigin[],
  stage: string | undefined,
): PreviewSetupError {
  const scope = stage === undefined ? 'the module allows' : `stage ${stage} allows`;
  return new PreviewSetupError(
    `--site-port ${port}: no local origin ${scope} has that port (it allows ${local.map((o) => o.origin).join(', ')}), and the demo page must be served on an allowed origin`,
    {
      code: 'site-port-not-allowed',
      fix: `leave --site-port out, or add http://localhost:${port} to ${specOrigins(stage)}, run "cors-gen generate" and preview again`,
    },
  );
}
