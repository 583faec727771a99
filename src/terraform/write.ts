/** A Terraform JSON document (https://developer.hashicorp.com/terraform/language/syntax/json). */
type Document = Record<string, unknown>;

/**
 * Writes a Terraform JSON document as native HCL, already as `terraform fmt` leaves it.
 *
 * Why not CDKTF's `toHclTerraform()`: in cdktf 0.21 it writes multi-line strings as quoted strings with raw
 * newlines (invalid HCL) and quotes expression-valued arguments such as a variable's validation `condition`
 * (a string, so Terraform rejects it). The mapping from Terraform's JSON syntax is small and fully known for the
 * documents cors-gen synthesizes (https://developer.hashicorp.com/terraform/language/syntax/json):
 * a string that is exactly one `${...}` interpolation is that expression; any other string is a template
 * (quoted, or a heredoc when multi-line); `type` and `depends_on` hold bare expressions; a variable's
 * `default` is a literal value in JSON syntax (no interpolation; checked with `terraform console`), so it is
 * written as an escaped literal; and the keys below are nested blocks rather than map arguments.
 *
 * Formatting is part of writing. `terraform fmt` (hclwrite.Format) indents by two spaces per bracket level,
 * which the writer does as it nests, and aligns the `=` of consecutive attribute lines (`formatCells` in
 * https://github.com/hashicorp/hcl/blob/v2.19.1/hclwrite/format.go): a run of lines whose `=` is followed by a
 * bracket-balanced rest of line is padded to its widest key, counted in grapheme clusters; any other line (a
 * blank line, a block's opening or closing line, an attribute whose value opens a bracket on that line) ends
 * the run. A heredoc belongs to the line it opens on, so an attribute after one stays in the same run.
 * Expressions (`${...}`, `%{...}`) are copied as the constructs wrote them, which is fmt's spacing. The tests
 * hold the output to `@cdktf/hcl-tools`' `format()` and parse it back with `@cdktf/hcl2json`.
 */
export const BLOCK_KEYS: ReadonlySet<string> = new Set([
  'validation',
  'lifecycle',
  'environment',
  'index_document',
  'error_document',
  'cors_configuration',
  'cors',
  'required_providers',
  'precondition',
  'content',
  'jwt_configuration',
  // aws_s3_bucket_ownership_controls and aws_cloudfront_distribution
  'rule',
  'origin',
  'default_cache_behavior',
  'custom_error_response',
  'restrictions',
  'geo_restriction',
  'viewer_certificate',
  // The custom API domain's blocks (aws_api_gateway_domain_name, aws_apigatewayv2_domain_name, aws_route53_record).
  'endpoint_configuration',
  'domain_name_configuration',
  'alias',
]);
/** Arguments whose JSON strings are bare expressions or references, not templates. */
const EXPRESSION_KEYS = new Set(['depends_on', 'ignore_changes', 'replace_triggered_by']);

/** The document as `terraform fmt`-formatted HCL. */
export function renderHcl(doc: Document): string {
  const out: string[] = [];
  for (const [kind, body] of Object.entries(doc)) {
    const section = body as Record<string, unknown>;
    switch (kind) {
      case 'terraform':
      case 'locals':
        out.push(block(kind, [], section, 0));
        break;
      case 'variable':
      case 'output':
        for (const [name, b] of Object.entries(section)) out.push(block(kind, [name], b as Record<string, unknown>, 0));
        break;
      case 'removed':
        for (const b of section as unknown as Array<Record<string, unknown>>) out.push(block(kind, [], b, 0));
        break;
      case 'resource':
      case 'data':
        for (const [type, instances] of Object.entries(section)) {
          for (const [name, b] of Object.entries(instances as Record<string, unknown>))
            out.push(block(kind, [type, name], b as Record<string, unknown>, 0));
        }
        break;
      default:
        throw new Error(`renderHcl: unexpected top-level key "${kind}"`);
    }
  }
  return out.join('\n');
}

/** Values as a `.tfvars` file: one aligned attribute per line, every string literal. */
export function renderTfvars(values: Record<string, unknown>): string {
  return lines(
    Object.entries(values).map(([k, v]) => [attributeKey(k), renderLiteral(v, 0)]),
    '',
  );
}

/** A line of a body: an attribute (key and value text) or a whole line (a nested block) that ends a run. */
type BodyLine = readonly [key: string, value: string] | string;

function block(type: string, labels: string[], body: Record<string, unknown>, depth: number): string {
  const pad = '  '.repeat(depth);
  const head = [type, ...labels.map((l) => JSON.stringify(l))].join(' ');
  const items: BodyLine[] = [];
  for (const [key, value] of Object.entries(body)) {
    if (
      key === 'dynamic' &&
      type !== 'locals' &&
      value !== null &&
      typeof value === 'object' &&
      !Array.isArray(value)
    ) {
      // `dynamic "<block>" { for_each = ..., content { ... } }`, one per labelled block.
      for (const [label, b] of Object.entries(value))
        items.push(block(key, [label], b as Record<string, unknown>, depth + 1).trimEnd());
    } else if (BLOCK_KEYS.has(key) && value !== null && typeof value === 'object' && type !== 'locals') {
      for (const b of Array.isArray(value) ? value : [value])
        items.push(block(key, [], b as Record<string, unknown>, depth + 1).trimEnd());
    } else {
      const expression =
        EXPRESSION_KEYS.has(key) || (type === 'variable' && key === 'type') || (type === 'removed' && key === 'from');
      const literal = type === 'variable' && key === 'default';
      items.push([
        attributeKey(key),
        expression ? bare(value) : literal ? renderLiteral(value, depth + 1) : renderValue(value, depth + 1),
      ]);
    }
  }
  return `${pad}${head} {\n${lines(items, `${pad}  `)}${pad}}\n`;
}

/** Body lines at indentation `pad`, each ending in a newline, the `=` of each run of attributes aligned. */
function lines(items: readonly BodyLine[], pad: string): string {
  let out = '';
  let run: Array<readonly [string, string]> = [];
  const flush = () => {
    let width = 0;
    for (const [key] of run) width = Math.max(width, columns(key));
    for (const [key, value] of run) out += `${pad}${key}${' '.repeat(width - columns(key))} = ${value}\n`;
    run = [];
  };
  for (const item of items) {
    if (typeof item === 'string') {
      flush();
      out += `${item}\n`;
    } else if (aligns(item[1])) {
      run.push(item);
    } else {
      flush();
      out += `${pad}${item[0]} = ${item[1]}\n`;
    }
  }
  flush();
  return out;
}

/** Whether an attribute with this value takes part in alignment: a one-line value, or a heredoc. */
function aligns(value: string): boolean {
  return !value.includes('\n') || value.startsWith('<<');
}

let segmenter: Intl.Segmenter | undefined;

/** Columns of a key as hclwrite counts them: grapheme clusters. */
function columns(text: string): number {
  if (/^[\u0000-\u007f]*$/.test(text)) return text.length;
  segmenter ??= new Intl.Segmenter(undefined, { granularity: 'grapheme' });
  let n = 0;
  for (const _ of segmenter.segment(text)) n++;
  return n;
}

function attributeKey(key: string): string {
  return /^[A-Za-z_][A-Za-z0-9_-]*$/.test(key) ? key : JSON.stringify(key);
}

/** `type = "list(string)"` and `depends_on = ["aws_x.y"]` hold expressions, written without quotes. */
function bare(value: unknown): string {
  const unwrap = (v: unknown) => singleInterpolation(String(v)) ?? String(v);
  return Array.isArray(value) ? `[${value.map(unwrap).join(', ')}]` : unwrap(value);
}

/** A value of Terraform's JSON syntax (strings are templates) as HCL. */
export function renderValue(value: unknown, depth: number): string {
  return render(value, depth, false);
}

/** Data as HCL: every string evaluates to itself (`${` and `%{` escaped), as in a `.tfvars` file or a default. */
export function renderLiteral(value: unknown, depth: number): string {
  return render(value, depth, true);
}

function render(value: unknown, depth: number, literal: boolean): string {
  const pad = '  '.repeat(depth);
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'boolean' || typeof value === 'number') return String(value);
  if (typeof value === 'string') return renderString(value, depth, true, literal);
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    // A heredoc's closing marker must end its line, so list items are always quoted.
    const items = value.map((v) =>
      typeof v === 'string' ? renderString(v, depth + 1, false, literal) : render(v, depth + 1, literal),
    );
    const inline = `[${items.join(', ')}]`;
    if (inline.length <= 80 && !inline.includes('\n')) return inline;
    return `[\n${items.map((i) => `${pad}  ${i},`).join('\n')}\n${pad}]`;
  }
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 0) return '{}';
  return `{\n${lines(
    // A bare `for` first in braces starts a for expression (https://developer.hashicorp.com/terraform/language/expressions/for):
    // as an object's key it is quoted.
    entries.map(([k, v]) => [k === 'for' ? '"for"' : attributeKey(k), render(v, depth + 1, literal)]),
    `${pad}  `,
  )}${pad}}`;
}

/** The template escapes themselves, for text known to hold no token (e.g. HCL written by cors-gen itself). */
export function escapeTemplate(text: string): string {
  return text.replace(/\$\{/g, '$$${').replace(/%\{/g, '%%{');
}

/**
 * A quoted HCL string literal that evaluates to exactly `text`, for data written inside an expression that
 * cors-gen builds (`"${path.module}/" + ...`): the template escapes plus the quoted-string escapes
 * (https://developer.hashicorp.com/terraform/language/expressions/strings#escape-sequences).
 */
export function stringLiteral(text: string): string {
  return quoted(escapeTemplate(text));
}

function renderString(text: string, depth: number, heredoc: boolean, literal: boolean): string {
  // A literal becomes a template with no interpolation in it; a template keeps its own.
  const s = literal ? escapeTemplate(text) : text;
  const expression = singleInterpolation(s);
  if (expression !== undefined) return expression;
  // A heredoc only when it reads back the same: no line may start with white space (`<<-` strips it), be the
  // closing marker, or hold a control character (heredocs have no escapes).
  if (
    heredoc &&
    s.includes('\n') &&
    s.endsWith('\n') &&
    !/^\s|\n\s/.test(s) &&
    !/^EOT$/m.test(s) &&
    !/[\u0000-\u0009\u000b-\u001f\u007f]/.test(s)
  ) {
    // An indented heredoc: Terraform strips the common leading white space, which our lines never have.
    quoted(s); // interpolations are the same in both forms: refuse an unterminated one here too
    const pad = '  '.repeat(depth + 1);
    const body = s
      .slice(0, -1)
      .split('\n')
      .map((l) => (l === '' ? '' : `${pad}${l}`))
      .join('\n');
    return `<<-EOT\n${body}\n${'  '.repeat(depth)}EOT`;
  }
  return quoted(s);
}

/**
 * A quoted HCL template with the same meaning as the JSON-syntax template `s`: the literal parts escaped, the
 * `${...}` and `%{...}` sequences copied verbatim (their quotes belong to the expression, not the string).
 */
function quoted(s: string): string {
  let out = '"';
  let i = 0;
  while (i < s.length) {
    const c = s[i]!;
    if ((c === '$' || c === '%') && s[i + 1] === c && s[i + 2] === '{') {
      out += s.slice(i, i + 3);
      i += 3;
    } else if ((c === '$' || c === '%') && s[i + 1] === '{') {
      const end = scanExpression(s, i + 2);
      if (end < 0) throw new Error(`renderHcl: unterminated interpolation in ${JSON.stringify(s)}`);
      out += s.slice(i, end);
      i = end;
    } else {
      out +=
        c === '\\'
          ? '\\\\'
          : c === '"'
            ? '\\"'
            : c === '\n'
              ? '\\n'
              : c === '\r'
                ? '\\r'
                : c === '\t'
                  ? '\\t'
                  : c < ' ' || c === '\u007f'
                    ? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`
                    : c;
      i++;
    }
  }
  return `${out}"`;
}

/**
 * The expression inside `s` when `s` is exactly one `${...}` interpolation (quotes, nested templates and
 * braces inside it taken into account), else undefined.
 */
export function singleInterpolation(s: string): string | undefined {
  if (!s.startsWith('${')) return undefined;
  const end = scanExpression(s, 2);
  return end === s.length ? s.slice(2, end - 1) : undefined;
}

/** Index just past the `}` closing the expression that starts at `i`; -1 if unterminated. */
function scanExpression(s: string, i: number): number {
  let depth = 0;
  while (i < s.length) {
    const c = s[i]!;
    if (c === '"') {
      i = scanString(s, i + 1);
      if (i < 0) return -1;
      continue;
    }
    if (c === '{' || c === '[' || c === '(') depth++;
    else if (c === ']' || c === ')') depth--;
    else if (c === '}') {
      if (depth === 0) return i + 1;
      depth--;
    }
    i++;
  }
  return -1;
}

/** Index just past the closing quote of a string literal starting after `i - 1`. */
function scanString(s: string, i: number): number {
  while (i < s.length) {
    const c = s[i]!;
    if (c === '\\') i += 2;
    else if ((c === '$' || c === '%') && s[i + 1] === c && s[i + 2] === '{')
      i += 3; // `$${` and `%%{` are literals
    else if ((c === '$' || c === '%') && s[i + 1] === '{') {
      i = scanExpression(s, i + 2);
      if (i < 0) return -1;
    } else if (c === '"') return i + 1;
    else i++;
  }
  return -1;
}
