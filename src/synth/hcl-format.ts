/**
 * `terraform fmt` for HCL text, in TypeScript: a port of `hclwrite.Format` from hashicorp/hcl v2.19.1, the version
 * compiled into `@cdktf/hcl-tools` (whose `format()` is hclwrite.Format behind a Go-wasm bridge that takes about
 * half a second to start). Like the original it only lexes (it never parses), and it changes nothing but the
 * spaces before tokens:
 *
 * 1. lex the text into hclsyntax tokens (templates, heredocs and comments included);
 * 2. split the tokens into lines at newline tokens (a heredoc stays on its opening line), each line into cells:
 *    `lead`, `assign` (from the first `=` when the rest of the line is bracket-balanced) and a trailing `comment`;
 * 3. indent each line by two spaces per open bracket level (`formatIndent`);
 * 4. set the spaces between the tokens of each cell (`spaceAfterToken`);
 * 5. align the `=` of consecutive assignment lines, then trailing comments (`formatCells`).
 *
 * Upstream: https://github.com/hashicorp/hcl/blob/v2.19.1/hclwrite/format.go and
 * https://github.com/hashicorp/hcl/blob/v2.19.1/hclsyntax/scan_tokens.rl. `test/perf/hcl-format.test.ts`
 * compares this port with `format()` on every generated module and on thousands of random documents.
 */

const enum T {
  Nil,
  EOF,
  Newline,
  Comment,
  Ident,
  NumberLit,
  OBrace,
  CBrace,
  OBrack,
  CBrack,
  OParen,
  CParen,
  OQuote,
  CQuote,
  OHeredoc,
  CHeredoc,
  QuotedLit,
  StringLit,
  TemplateInterp,
  TemplateControl,
  TemplateSeqEnd,
  Dot,
  Comma,
  Ellipsis,
  Equal,
  Minus,
  Plus,
  Star,
  Slash,
  Percent,
  EqualOp,
  NotEqual,
  GreaterThan,
  GreaterThanEq,
  LessThan,
  LessThanEq,
  And,
  Or,
  Bang,
  Colon,
  Question,
  FatArrow,
  /** Any other single character the scanner passes through (`&`, `|`, `~`, `;`, ...): always invalid HCL. */
  Other,
}

interface Token {
  readonly type: T;
  readonly text: string;
  spaces: number;
}

/** Thrown for text the HCL scanner itself would reject as malformed (an unterminated string, a tab, ...). */
export class HclFormatError extends Error {
  override readonly name = 'HclFormatError';
}

/** Formats HCL native syntax exactly as `terraform fmt` (hclwrite.Format) would. */
export function formatHcl(src: string): string {
  const tokens = lex(src);
  const lines = linesForFormat(tokens);
  formatIndent(lines);
  formatSpaces(lines);
  formatCells(lines);
  let out = '';
  for (const t of tokens) out += (t.spaces > 0 ? ' '.repeat(t.spaces) : '') + t.text;
  return out;
}

// ---- lexer (hclsyntax/scan_tokens.rl) ------------------------------------------------------------------------

const SELF: Record<string, T> = {
  '[': T.OBrack,
  ']': T.CBrack,
  '(': T.OParen,
  ')': T.CParen,
  '.': T.Dot,
  ',': T.Comma,
  '*': T.Star,
  '/': T.Slash,
  '%': T.Percent,
  '+': T.Plus,
  '-': T.Minus,
  '=': T.Equal,
  '<': T.LessThan,
  '>': T.GreaterThan,
  '!': T.Bang,
  '?': T.Question,
  ':': T.Colon,
  '&': T.Other,
  '|': T.Other,
  '~': T.Other,
  '^': T.Other,
  ';': T.Other,
  '`': T.Other,
  "'": T.Other,
};
const PAIRS: Record<string, T> = { '==': T.EqualOp, '!=': T.NotEqual, '>=': T.GreaterThanEq, '<=': T.LessThanEq, '&&': T.And, '||': T.Or, '=>': T.FatArrow };

const IDENT = /(?:\p{ID_Start}|_)(?:\p{ID_Continue}|-)*/uy;
const NUMBER = /[0-9](?:[0-9.]|[eE][+-]?[0-9])*/y;
const HEREDOC_START = /<<(-?)((?:\p{ID_Start}|_)(?:\p{ID_Continue}|-)*)(\r?\n)/uy;

/** A template being scanned: a quoted string, or a heredoc with its closing marker. */
interface TemplateContext {
  readonly kind: 'quoted' | 'heredoc';
  readonly marker?: string;
  /** Heredoc only: the next literal starts a line (so it may be the closing marker). */
  startOfLine?: boolean;
}

function lex(src: string): Token[] {
  const tokens: Token[] = [];
  let pos = 0;
  let lastEnd = 0;
  const emit = (type: T, start: number, end: number) => {
    tokens.push({ type, text: src.slice(start, end), spaces: start - lastEnd });
    lastEnd = end;
    pos = end;
  };
  /** Template contexts entered; `main` (expression) mode when the top is an interpolation marker. */
  const templates: TemplateContext[] = [];
  /** Per open interpolation: the brace depth at which its closing `}` ends it (scan_tokens.rl's retBraces). */
  const retBraces: number[] = [];
  let braces = 0;
  /** True while scanning expressions (file level, or inside `${`/`%{`); false inside template literals. */
  const modes: Array<'main' | TemplateContext> = ['main'];

  const enterTemplateSequence = (type: T, start: number, end: number) => {
    emit(type, start, end);
    braces++;
    retBraces.push(braces);
    const top = templates[templates.length - 1];
    if (top && top.kind === 'heredoc') top.startOfLine = false;
    modes.push('main');
  };

  while (pos < src.length) {
    const mode = modes[modes.length - 1]!;
    if (mode === 'main') {
      const c = src[pos]!;
      if (c === ' ') {
        pos++;
        continue;
      }
      if (c === '\n' || (c === '\r' && src[pos + 1] === '\n')) {
        emit(T.Newline, pos, pos + (c === '\r' ? 2 : 1));
        continue;
      }
      if (c === '#' || (c === '/' && src[pos + 1] === '/')) {
        let end = src.indexOf('\n', pos);
        end = end < 0 ? src.length : end + 1;
        emit(T.Comment, pos, end);
        continue;
      }
      if (c === '/' && src[pos + 1] === '*') {
        const end = src.indexOf('*/', pos + 2);
        if (end < 0) throw new HclFormatError('unterminated /* comment');
        emit(T.Comment, pos, end + 2);
        continue;
      }
      if (c >= '0' && c <= '9') {
        NUMBER.lastIndex = pos;
        let text = NUMBER.exec(src)![0];
        while (text.endsWith('.')) text = text.slice(0, -1);
        emit(T.NumberLit, pos, pos + text.length);
        continue;
      }
      if (c === '"') {
        emit(T.OQuote, pos, pos + 1);
        const ctx: TemplateContext = { kind: 'quoted' };
        templates.push(ctx);
        modes.push(ctx);
        continue;
      }
      if (c === '<' && src[pos + 1] === '<') {
        HEREDOC_START.lastIndex = pos;
        const m = HEREDOC_START.exec(src);
        if (m) {
          emit(T.OHeredoc, pos, pos + m[0].length);
          const ctx: TemplateContext = { kind: 'heredoc', marker: m[2]!, startOfLine: true };
          templates.push(ctx);
          modes.push(ctx);
          continue;
        }
      }
      if (c === '{') {
        emit(T.OBrace, pos, pos + 1);
        braces++;
        continue;
      }
      if (c === '}' || (c === '~' && src[pos + 1] === '}')) {
        const len = c === '}' ? 1 : 2;
        if (retBraces.length > 0 && retBraces[retBraces.length - 1] === braces) {
          emit(T.TemplateSeqEnd, pos, pos + len);
          braces--;
          retBraces.pop();
          modes.pop();
        } else {
          emit(c === '}' ? T.CBrace : T.TemplateSeqEnd, pos, pos + len);
          braces--;
        }
        continue;
      }
      if (src.startsWith('...', pos)) {
        emit(T.Ellipsis, pos, pos + 3);
        continue;
      }
      const pair = PAIRS[src.slice(pos, pos + 2)];
      if (pair !== undefined) {
        emit(pair, pos, pos + 2);
        continue;
      }
      const self = SELF[c];
      if (self !== undefined) {
        emit(self, pos, pos + 1);
        continue;
      }
      IDENT.lastIndex = pos;
      const ident = IDENT.exec(src);
      if (ident) {
        emit(T.Ident, pos, pos + ident[0].length);
        continue;
      }
      throw new HclFormatError(`unexpected character ${JSON.stringify(c)} at offset ${pos}`);
    }

    // Template literal text (quoted string or heredoc body).
    if (src.startsWith('${', pos) || src.startsWith('%{', pos)) {
      const type = src[pos] === '$' ? T.TemplateInterp : T.TemplateControl;
      enterTemplateSequence(type, pos, pos + (src[pos + 2] === '~' ? 3 : 2));
      continue;
    }
    if (mode.kind === 'quoted') {
      if (src[pos] === '"') {
        emit(T.CQuote, pos, pos + 1);
        templates.pop();
        modes.pop();
        continue;
      }
      const end = quotedLiteralEnd(src, pos);
      if (end === pos) throw new HclFormatError(`unterminated string at offset ${pos}`);
      emit(T.QuotedLit, pos, end);
      continue;
    }
    // Heredoc: a literal up to an interpolation or the end of the line; a whole line equal to the marker closes it.
    const end = heredocLiteralEnd(src, pos);
    const eol = src[end] === '\n' ? end + 1 : src[end] === '\r' && src[end + 1] === '\n' ? end + 2 : -1;
    if (eol < 0) {
      if (end === src.length) throw new HclFormatError('unterminated heredoc');
      mode.startOfLine = false;
      emit(T.StringLit, pos, end);
      continue;
    }
    if (mode.startOfLine && src.slice(pos, end).trim() === mode.marker) {
      // The closing marker, then its newline as a separate token.
      emit(T.CHeredoc, pos, end);
      emit(T.Newline, end, eol);
      templates.pop();
      modes.pop();
      continue;
    }
    mode.startOfLine = true;
    emit(T.StringLit, pos, eol);
  }
  tokens.push({ type: T.EOF, text: '', spaces: src.length - lastEnd });
  if (modes.length > 1) throw new HclFormatError('unterminated template or heredoc');
  return tokens;
}

/** End of a quoted-string literal run: stops before `"`, a newline, or a `${`/`%{` that is not escaped. */
function quotedLiteralEnd(src: string, pos: number): number {
  let i = pos;
  while (i < src.length) {
    const c = src[i]!;
    if (c === '"' || c === '\n' || c === '\r') break;
    if (c === '\\') {
      if (i + 1 >= src.length || src[i + 1] === '\n' || src[i + 1] === '\r') break;
      i += 2;
      continue;
    }
    if ((c === '$' || c === '%') && src[i + 1] === '{') break;
    if ((c === '$' || c === '%') && src[i + 1] === c && src[i + 2] === '{') {
      i += 3; // `$${` and `%%{` are literal text
      continue;
    }
    i++;
  }
  return i;
}

/** End of a heredoc literal run: stops at a newline or an interpolation start (escaped `$${` stays literal). */
function heredocLiteralEnd(src: string, pos: number): number {
  let i = pos;
  while (i < src.length) {
    const c = src[i]!;
    if (c === '\n' || (c === '\r' && src[i + 1] === '\n')) break;
    if ((c === '$' || c === '%') && src[i + 1] === '{') break;
    if ((c === '$' || c === '%') && src[i + 1] === c && src[i + 2] === '{') {
      i += 3;
      continue;
    }
    i++;
  }
  return i;
}

// ---- formatter (hclwrite/format.go) --------------------------------------------------------------------------

interface FormatLine {
  lead: Token[];
  assign?: Token[];
  comment?: Token[];
}

function tokenIsNewline(t: Token): boolean {
  return t.type === T.Newline || (t.type === T.Comment && t.text.endsWith('\n'));
}

function bracketChange(t: Token): number {
  switch (t.type) {
    case T.OBrace:
    case T.OBrack:
    case T.OParen:
    case T.TemplateControl:
    case T.TemplateInterp:
      return 1;
    case T.CBrace:
    case T.CBrack:
    case T.CParen:
    case T.TemplateSeqEnd:
      return -1;
    default:
      return 0;
  }
}

function linesForFormat(tokens: Token[]): FormatLine[] {
  const lines: FormatLine[] = [];
  let start = 0;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.type === T.EOF) {
      lines.push({ lead: tokens.slice(start, i) });
      start = -1;
      break;
    }
    if (tokenIsNewline(t)) {
      lines.push({ lead: tokens.slice(start, i + 1) });
      start = i + 1;
    }
  }
  for (const line of lines) {
    if (line.lead.length === 0) continue;
    if (line.lead.length > 1 && line.lead[line.lead.length - 1]!.type === T.Comment) {
      line.comment = line.lead.slice(-1);
      line.lead = line.lead.slice(0, -1);
    }
    for (let i = 1; i < line.lead.length; i++) {
      if (line.lead[i]!.type !== T.Equal) continue;
      let net = 0;
      for (let j = i; j < line.lead.length; j++) net += bracketChange(line.lead[j]!);
      if (net === 0) {
        line.assign = line.lead.slice(i);
        line.lead = line.lead.slice(0, i);
      }
      break;
    }
  }
  return lines;
}

function formatIndent(lines: FormatLine[]): void {
  const indents: number[] = [];
  for (const line of lines) {
    const first = line.lead[0];
    if (!first) continue;
    if (first.type === T.Newline) {
      first.spaces = 0;
      continue;
    }
    let net = 0;
    for (const t of line.lead) {
      net += bracketChange(t);
      if (t.type === T.OHeredoc) break;
    }
    for (const t of line.assign ?? []) net += bracketChange(t);
    if (net > 0) {
      first.spaces = 2 * indents.length;
      indents.push(net);
    } else {
      let closed = -net;
      while (closed > 0 && indents.length > 0) {
        const top = indents[indents.length - 1]!;
        if (closed > top) {
          closed -= top;
          indents.pop();
        } else if (closed < top) {
          indents[indents.length - 1] = top - closed;
          closed = 0;
        } else {
          indents.pop();
          closed = 0;
        }
      }
      first.spaces = 2 * indents.length;
    }
  }
}

const NIL: Token = { type: T.Nil, text: '', spaces: 0 };

function formatSpaces(lines: FormatLine[]): void {
  for (const line of lines) {
    spaceCell(line.lead);
    if (line.assign) {
      line.assign[0]!.spaces = 1;
      spaceCell(line.assign);
    }
  }
}

function spaceCell(cell: Token[]): void {
  for (let i = 0; i < cell.length - 1; i++) {
    const after = cell[i + 1]!;
    after.spaces = spaceAfterToken(cell[i]!, i > 0 ? cell[i - 1]! : NIL, after) ? 1 : 0;
  }
}

function spaceAfterToken(subject: Token, before: Token, after: Token): boolean {
  const s = subject.type;
  const a = after.type;
  if (a === T.Newline || a === T.Nil) return false;
  if (s === T.Ident && a === T.OParen) return false;
  if (s === T.Dot || a === T.Dot) return false;
  if (a === T.Comma || a === T.Ellipsis) return false;
  if (s === T.Comma) return true;
  if (s === T.QuotedLit || s === T.StringLit || s === T.OQuote || s === T.OHeredoc || a === T.QuotedLit || a === T.StringLit || a === T.CQuote || a === T.CHeredoc) return false;
  if (s === T.Ident && subject.text === 'in' && before.type === T.Ident) return true;
  if (a === T.OBrack && (s === T.Ident || s === T.NumberLit || bracketChange(subject) < 0)) return false;
  if (s === T.Bang) return false;
  if (s === T.Minus) {
    switch (before.type) {
      case T.Nil:
      case T.OParen:
      case T.OBrace:
      case T.OBrack:
      case T.Equal:
      case T.Colon:
      case T.Comma:
      case T.Question:
      case T.Plus:
      case T.Star:
      case T.Slash:
      case T.Percent:
      case T.Minus:
      case T.EqualOp:
      case T.NotEqual:
      case T.GreaterThan:
      case T.GreaterThanEq:
      case T.LessThan:
      case T.LessThanEq:
      case T.And:
      case T.Or:
      case T.Bang:
        return false;
      default:
        return true;
    }
  }
  if (s === T.OBrace || a === T.CBrace) return !(s === T.OBrace && a === T.CBrace);
  if ((s === T.TemplateInterp || s === T.TemplateControl) && a === T.OBrace) return true;
  if (s === T.CBrace && a === T.TemplateSeqEnd) return true;
  if (s === T.TemplateSeqEnd && (a === T.TemplateInterp || a === T.TemplateControl)) return false;
  if (bracketChange(subject) > 0) return false;
  if (bracketChange(after) < 0) return false;
  return true;
}

function formatCells(lines: FormatLine[]): void {
  alignChain(
    lines,
    (l) => l.assign,
    (l) => columns(l.lead),
  );
  alignChain(
    lines,
    (l) => l.comment,
    (l) => columns(l.lead) + columns(l.assign ?? []),
  );
}

/** Aligns the first token of `cell` on runs of consecutive lines that have that cell. */
function alignChain(lines: FormatLine[], cell: (l: FormatLine) => Token[] | undefined, width: (l: FormatLine) => number): void {
  let start = -1;
  let max = 0;
  const close = (end: number) => {
    for (let i = start; i < end; i++) cell(lines[i]!)![0]!.spaces = max - width(lines[i]!) + 1;
    start = -1;
    max = 0;
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (!cell(line)) {
      if (start !== -1) close(i);
      continue;
    }
    if (start === -1) start = i;
    max = Math.max(max, width(line));
  }
  if (start !== -1) close(lines.length);
}

let segmenter: Intl.Segmenter | undefined;

/** Columns a cell occupies: spaces plus grapheme clusters (hclwrite's Tokens.Columns). */
function columns(cell: Token[]): number {
  let n = 0;
  for (const t of cell) {
    n += t.spaces;
    if (/^[\x00-\x7f]*$/.test(t.text)) {
      n += t.text.length - (t.text.match(/\r\n/g)?.length ?? 0);
    } else {
      segmenter ??= new Intl.Segmenter(undefined, { granularity: 'grapheme' });
      for (const _ of segmenter.segment(t.text)) n++;
    }
  }
  return n;
}
