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
 *
 * Tokens live in parallel arrays (type, start, end, spaces before) rather than objects: a 1000-route module is
 * a few megabytes of HCL, and this runs on every `generate`.
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

/** Thrown for text the HCL scanner itself would reject as malformed (an unterminated string, a tab, ...). */
export class HclFormatError extends Error {
  override readonly name = 'HclFormatError';
}

/** The token stream of one text: token i is `src.slice(start[i], end[i])`, written after `spaces[i]` spaces. */
interface Tokens {
  readonly src: string;
  readonly type: Uint8Array;
  readonly start: Int32Array;
  readonly end: Int32Array;
  readonly spaces: Int32Array;
  /** Number of tokens (the arrays have spare room). */
  readonly count: number;
}

/** Formats HCL native syntax exactly as `terraform fmt` (hclwrite.Format) would. */
export function formatHcl(src: string): string {
  const tokens = lex(src);
  const lines = linesForFormat(tokens);
  formatIndent(tokens, lines);
  formatSpaces(tokens, lines);
  formatCells(tokens, lines);
  return write(tokens);
}

function write(tk: Tokens): string {
  const parts: string[] = [];
  const n = tk.count;
  // Copy runs of the source whose spacing did not change in one slice.
  let runStart = 0;
  for (let i = 0; i < n; i++) {
    const before = i === 0 ? 0 : tk.end[i - 1]!;
    if (tk.start[i]! - before === tk.spaces[i]! && allSpaces(tk.src, before, tk.start[i]!)) continue;
    parts.push(tk.src.slice(runStart, before), ' '.repeat(tk.spaces[i]!));
    runStart = tk.start[i]!;
  }
  parts.push(tk.src.slice(runStart));
  return parts.join('');
}

function allSpaces(s: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (s.charCodeAt(i) !== 32) return false;
  return true;
}

// ---- lexer (hclsyntax/scan_tokens.rl) ------------------------------------------------------------------------

const IDENT = /(?:\p{ID_Start}|_)(?:\p{ID_Continue}|-)*/uy;
const HEREDOC_START = /<<(-?)((?:\p{ID_Start}|_)(?:\p{ID_Continue}|-)*)(\r?\n)/uy;

/** A template being scanned: a quoted string, or a heredoc with its closing marker. */
interface TemplateContext {
  readonly kind: 'quoted' | 'heredoc';
  readonly marker: string;
  /** Heredoc only: the next literal starts a line (so it may be the closing marker). */
  startOfLine: boolean;
}

const isAsciiIdentStart = (c: number) => (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95;
const isAsciiIdentPart = (c: number) => isAsciiIdentStart(c) || (c >= 48 && c <= 57) || c === 45;
const isDigit = (c: number) => c >= 48 && c <= 57;

function lex(src: string): Tokens {
  let capacity = (src.length >> 2) + 16;
  let type: Uint8Array = new Uint8Array(capacity);
  let start: Int32Array = new Int32Array(capacity);
  let end: Int32Array = new Int32Array(capacity);
  let spaces: Int32Array = new Int32Array(capacity);
  let count = 0;
  let pos = 0;
  let lastEnd = 0;
  const grow = () => {
    capacity *= 2;
    type = copied(type, new Uint8Array(capacity));
    start = copied(start, new Int32Array(capacity));
    end = copied(end, new Int32Array(capacity));
    spaces = copied(spaces, new Int32Array(capacity));
  };
  const emit = (t: T, s: number, e: number) => {
    if (count === capacity) grow();
    type[count] = t;
    start[count] = s;
    end[count] = e;
    spaces[count] = s - lastEnd;
    count++;
    lastEnd = e;
    pos = e;
  };
  /** Per open interpolation: the brace depth at which its closing `}` ends it (scan_tokens.rl's retBraces). */
  const retBraces: number[] = [];
  let braces = 0;
  /** `undefined` while scanning expressions (file level, or inside `${`/`%{`); the template otherwise. */
  const modes: Array<TemplateContext | undefined> = [undefined];
  /** The innermost template, for heredoc line tracking across interpolations. */
  const templates: TemplateContext[] = [];
  const n = src.length;

  while (pos < n) {
    const mode = modes[modes.length - 1];
    if (mode === undefined) {
      const c = src.charCodeAt(pos);
      const next = pos + 1 < n ? src.charCodeAt(pos + 1) : -1;
      switch (c) {
        case 32: // space
          pos++;
          continue;
        case 10: // \n
          emit(T.Newline, pos, pos + 1);
          continue;
        case 13: // \r
          if (next === 10) {
            emit(T.Newline, pos, pos + 2);
            continue;
          }
          break;
        case 35: // #
          emitLineComment();
          continue;
        case 47: // /
          if (next === 47) {
            emitLineComment();
            continue;
          }
          if (next === 42) {
            const close = src.indexOf('*/', pos + 2);
            if (close < 0) throw new HclFormatError('unterminated /* comment');
            emit(T.Comment, pos, close + 2);
            continue;
          }
          emit(T.Slash, pos, pos + 1);
          continue;
        case 34: {
          // "
          emit(T.OQuote, pos, pos + 1);
          const ctx: TemplateContext = { kind: 'quoted', marker: '', startOfLine: false };
          templates.push(ctx);
          modes.push(ctx);
          continue;
        }
        case 60: // <
          if (next === 60) {
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
          if (next === 61) emit(T.LessThanEq, pos, pos + 2);
          else emit(T.LessThan, pos, pos + 1);
          continue;
        case 123: // {
          emit(T.OBrace, pos, pos + 1);
          braces++;
          continue;
        case 125: // }
          closeBrace(1, T.CBrace);
          continue;
        case 126: // ~
          if (next === 125) closeBrace(2, T.TemplateSeqEnd);
          else emit(T.Other, pos, pos + 1);
          continue;
        case 46: // .
          if (next === 46 && src.charCodeAt(pos + 2) === 46) emit(T.Ellipsis, pos, pos + 3);
          else emit(T.Dot, pos, pos + 1);
          continue;
        case 61: // =
          if (next === 61) emit(T.EqualOp, pos, pos + 2);
          else if (next === 62) emit(T.FatArrow, pos, pos + 2);
          else emit(T.Equal, pos, pos + 1);
          continue;
        case 33: // !
          if (next === 61) emit(T.NotEqual, pos, pos + 2);
          else emit(T.Bang, pos, pos + 1);
          continue;
        case 62: // >
          if (next === 61) emit(T.GreaterThanEq, pos, pos + 2);
          else emit(T.GreaterThan, pos, pos + 1);
          continue;
        case 38: // &
          if (next === 38) emit(T.And, pos, pos + 2);
          else emit(T.Other, pos, pos + 1);
          continue;
        case 124: // |
          if (next === 124) emit(T.Or, pos, pos + 2);
          else emit(T.Other, pos, pos + 1);
          continue;
        case 91:
          emit(T.OBrack, pos, pos + 1);
          continue;
        case 93:
          emit(T.CBrack, pos, pos + 1);
          continue;
        case 40:
          emit(T.OParen, pos, pos + 1);
          continue;
        case 41:
          emit(T.CParen, pos, pos + 1);
          continue;
        case 44:
          emit(T.Comma, pos, pos + 1);
          continue;
        case 42:
          emit(T.Star, pos, pos + 1);
          continue;
        case 37:
          emit(T.Percent, pos, pos + 1);
          continue;
        case 43:
          emit(T.Plus, pos, pos + 1);
          continue;
        case 45:
          emit(T.Minus, pos, pos + 1);
          continue;
        case 63:
          emit(T.Question, pos, pos + 1);
          continue;
        case 58:
          emit(T.Colon, pos, pos + 1);
          continue;
        case 94: // ^
        case 59: // ;
        case 96: // `
        case 39: // '
          emit(T.Other, pos, pos + 1);
          continue;
      }
      if (isDigit(c)) {
        emit(T.NumberLit, pos, numberEnd(src, pos));
        continue;
      }
      if (isAsciiIdentStart(c)) {
        let e = pos + 1;
        while (e < n && isAsciiIdentPart(src.charCodeAt(e))) e++;
        if (e >= n || src.charCodeAt(e) < 128) {
          emit(T.Ident, pos, e);
          continue;
        }
      }
      IDENT.lastIndex = pos;
      const ident = IDENT.exec(src);
      if (ident) {
        emit(T.Ident, pos, pos + ident[0].length);
        continue;
      }
      throw new HclFormatError(`unexpected character ${JSON.stringify(src[pos])} at offset ${pos}`);
    }

    // Template literal text (quoted string or heredoc body).
    const c = src.charCodeAt(pos);
    if ((c === 36 || c === 37) && src.charCodeAt(pos + 1) === 123) {
      // ${ or %{, optionally with the ~ strip marker
      emit(c === 36 ? T.TemplateInterp : T.TemplateControl, pos, pos + (src.charCodeAt(pos + 2) === 126 ? 3 : 2));
      braces++;
      retBraces.push(braces);
      const top = templates[templates.length - 1];
      if (top && top.kind === 'heredoc') top.startOfLine = false;
      modes.push(undefined);
      continue;
    }
    if (mode.kind === 'quoted') {
      if (c === 34) {
        emit(T.CQuote, pos, pos + 1);
        templates.pop();
        modes.pop();
        continue;
      }
      const e = quotedLiteralEnd(src, pos);
      if (e === pos) throw new HclFormatError(`unterminated string at offset ${pos}`);
      emit(T.QuotedLit, pos, e);
      continue;
    }
    // Heredoc: a literal up to an interpolation or the end of the line; a whole line equal to the marker closes it.
    const e = heredocLiteralEnd(src, pos);
    const eol = src.charCodeAt(e) === 10 ? e + 1 : src.charCodeAt(e) === 13 && src.charCodeAt(e + 1) === 10 ? e + 2 : -1;
    if (eol < 0) {
      if (e >= n) throw new HclFormatError('unterminated heredoc');
      mode.startOfLine = false;
      emit(T.StringLit, pos, e);
      continue;
    }
    if (mode.startOfLine && src.slice(pos, e).trim() === mode.marker) {
      // The closing marker, then its newline as a separate token.
      emit(T.CHeredoc, pos, e);
      emit(T.Newline, e, eol);
      templates.pop();
      modes.pop();
      continue;
    }
    mode.startOfLine = true;
    emit(T.StringLit, pos, eol);
  }
  if (modes.length > 1) throw new HclFormatError('unterminated template or heredoc');
  emit(T.EOF, n, n);
  return { src, type, start, end, spaces, count };

  function emitLineComment() {
    const nl = src.indexOf('\n', pos);
    emit(T.Comment, pos, nl < 0 ? n : nl + 1);
  }

  function closeBrace(len: number, plain: T) {
    if (retBraces.length > 0 && retBraces[retBraces.length - 1] === braces) {
      emit(T.TemplateSeqEnd, pos, pos + len);
      braces--;
      retBraces.pop();
      modes.pop();
    } else {
      emit(plain, pos, pos + len);
      braces--;
    }
  }
}

function copied<A extends Uint8Array | Int32Array>(from: A, to: A): A {
  to.set(from);
  return to;
}

/** NumberLit: a digit, then digits, dots and exponents, never ending in a dot. */
function numberEnd(src: string, pos: number): number {
  let i = pos + 1;
  let lastGood = i;
  for (;;) {
    const c = src.charCodeAt(i);
    if (isDigit(c)) i++;
    else if (c === 46) {
      i++;
      continue;
    } else if (c === 101 || c === 69) {
      let j = i + 1;
      const sign = src.charCodeAt(j);
      if (sign === 43 || sign === 45) j++;
      if (!isDigit(src.charCodeAt(j))) break;
      i = j + 1;
    } else break;
    lastGood = i;
  }
  return lastGood;
}

/** End of a quoted-string literal run: stops before `"`, a newline, or a `${`/`%{` that is not escaped. */
function quotedLiteralEnd(src: string, pos: number): number {
  let i = pos;
  const n = src.length;
  while (i < n) {
    const c = src.charCodeAt(i);
    if (c === 34 || c === 10 || c === 13) break;
    if (c === 92) {
      // backslash escape
      const d = src.charCodeAt(i + 1);
      if (i + 1 >= n || d === 10 || d === 13) break;
      i += 2;
      continue;
    }
    if (c === 36 || c === 37) {
      const d = src.charCodeAt(i + 1);
      if (d === 123) break;
      if (d === c && src.charCodeAt(i + 2) === 123) {
        i += 3; // `$${` and `%%{` are literal text
        continue;
      }
    }
    i++;
  }
  return i;
}

/** End of a heredoc literal run: stops at a newline or an interpolation start (escaped `$${` stays literal). */
function heredocLiteralEnd(src: string, pos: number): number {
  let i = pos;
  const n = src.length;
  while (i < n) {
    const c = src.charCodeAt(i);
    if (c === 10 || (c === 13 && src.charCodeAt(i + 1) === 10)) break;
    if (c === 36 || c === 37) {
      const d = src.charCodeAt(i + 1);
      if (d === 123) break;
      if (d === c && src.charCodeAt(i + 2) === 123) {
        i += 3;
        continue;
      }
    }
    i++;
  }
  return i;
}

// ---- formatter (hclwrite/format.go) --------------------------------------------------------------------------

/**
 * One line as token index ranges: lead is [start, assign ?? comment ?? end), assign is [assign, comment ?? end),
 * and the comment, when present, is the single token `comment`. -1 means absent.
 */
interface FormatLine {
  readonly start: number;
  readonly end: number;
  assign: number;
  comment: number;
}

function leadEnd(l: FormatLine): number {
  return l.assign >= 0 ? l.assign : l.comment >= 0 ? l.comment : l.end;
}

function assignEnd(l: FormatLine): number {
  return l.comment >= 0 ? l.comment : l.end;
}

function bracketChange(t: T): number {
  switch (t) {
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

function linesForFormat(tk: Tokens): FormatLine[] {
  const lines: FormatLine[] = [];
  const { type, src } = tk;
  let start = 0;
  for (let i = 0; i < tk.count; i++) {
    const t = type[i]!;
    if (t === T.EOF) {
      lines.push({ start, end: i, assign: -1, comment: -1 });
      break;
    }
    // Single-line comments carry their newline, so they end a line too.
    if (t === T.Newline || (t === T.Comment && src.charCodeAt(tk.end[i]! - 1) === 10)) {
      lines.push({ start, end: i + 1, assign: -1, comment: -1 });
      start = i + 1;
    }
  }
  for (const line of lines) {
    if (line.end === line.start) continue;
    let end = line.end;
    if (end - line.start > 1 && type[end - 1] === T.Comment) {
      line.comment = end - 1;
      end--;
    }
    for (let i = line.start + 1; i < end; i++) {
      if (type[i] !== T.Equal) continue;
      let net = 0;
      for (let j = i; j < end; j++) net += bracketChange(type[j]!);
      if (net === 0) line.assign = i;
      break;
    }
  }
  return lines;
}

function formatIndent(tk: Tokens, lines: FormatLine[]): void {
  const { type, spaces } = tk;
  const indents: number[] = [];
  for (const line of lines) {
    if (line.end === line.start || leadEnd(line) === line.start) continue;
    if (type[line.start] === T.Newline) {
      spaces[line.start] = 0;
      continue;
    }
    let net = 0;
    for (let i = line.start; i < leadEnd(line); i++) {
      net += bracketChange(type[i]!);
      if (type[i] === T.OHeredoc) break;
    }
    if (line.assign >= 0) for (let i = line.assign; i < assignEnd(line); i++) net += bracketChange(type[i]!);
    if (net > 0) {
      spaces[line.start] = 2 * indents.length;
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
      spaces[line.start] = 2 * indents.length;
    }
  }
}

function formatSpaces(tk: Tokens, lines: FormatLine[]): void {
  for (const line of lines) {
    spaceCell(tk, line.start, leadEnd(line));
    if (line.assign >= 0) {
      tk.spaces[line.assign] = 1;
      spaceCell(tk, line.assign, assignEnd(line));
    }
  }
}

function spaceCell(tk: Tokens, from: number, to: number): void {
  const { type, spaces } = tk;
  for (let i = from; i < to - 1; i++) spaces[i + 1] = spaceAfterToken(tk, i, i > from ? (type[i - 1]! as T) : T.Nil, type[i + 1]! as T) ? 1 : 0;
}

function spaceAfterToken(tk: Tokens, subject: number, before: T, a: T): boolean {
  const s = tk.type[subject]!;
  if (a === T.Newline || a === T.Nil) return false;
  if (s === T.Ident && a === T.OParen) return false;
  if (s === T.Dot || a === T.Dot) return false;
  if (a === T.Comma || a === T.Ellipsis) return false;
  if (s === T.Comma) return true;
  if (s === T.QuotedLit || s === T.StringLit || s === T.OQuote || s === T.OHeredoc || a === T.QuotedLit || a === T.StringLit || a === T.CQuote || a === T.CHeredoc) return false;
  if (s === T.Ident && before === T.Ident && tk.end[subject]! - tk.start[subject]! === 2 && tk.src.startsWith('in', tk.start[subject]!)) return true;
  if (a === T.OBrack && (s === T.Ident || s === T.NumberLit || bracketChange(s) < 0)) return false;
  if (s === T.Bang) return false;
  if (s === T.Minus) {
    switch (before) {
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
  if (bracketChange(s) > 0) return false;
  if (bracketChange(a) < 0) return false;
  return true;
}

function formatCells(tk: Tokens, lines: FormatLine[]): void {
  alignChain(
    tk,
    lines,
    (l) => l.assign,
    (l) => columns(tk, l.start, leadEnd(l)),
  );
  alignChain(
    tk,
    lines,
    (l) => l.comment,
    (l) => columns(tk, l.start, leadEnd(l)) + (l.assign >= 0 ? columns(tk, l.assign, assignEnd(l)) : 0),
  );
}

/** Aligns the first token of a cell (`cellStart` >= 0) on runs of consecutive lines that have that cell. */
function alignChain(tk: Tokens, lines: FormatLine[], cellStart: (l: FormatLine) => number, width: (l: FormatLine) => number): void {
  let chain = -1;
  let max = 0;
  const close = (end: number) => {
    for (let i = chain; i < end; i++) tk.spaces[cellStart(lines[i]!)] = max - width(lines[i]!) + 1;
    chain = -1;
    max = 0;
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (cellStart(line) < 0) {
      if (chain !== -1) close(i);
      continue;
    }
    if (chain === -1) chain = i;
    max = Math.max(max, width(line));
  }
  if (chain !== -1) close(lines.length);
}

let segmenter: Intl.Segmenter | undefined;

/** Columns tokens [from, to) occupy: spaces plus grapheme clusters (hclwrite's Tokens.Columns). */
function columns(tk: Tokens, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) n += tk.spaces[i]! + textColumns(tk.src, tk.start[i]!, tk.end[i]!);
  return n;
}

function textColumns(src: string, s: number, e: number): number {
  let n = 0;
  for (let j = s; j < e; j++) {
    const c = src.charCodeAt(j);
    if (c >= 128) {
      segmenter ??= new Intl.Segmenter(undefined, { granularity: 'grapheme' });
      let count = 0;
      for (const _ of segmenter.segment(src.slice(s, e))) count++;
      return count;
    }
    // \r\n is one grapheme cluster
    if (c !== 13 || j + 1 >= e || src.charCodeAt(j + 1) !== 10) n++;
  }
  return n;
}
