/**
 * A parser for HCL native expression syntax, limited to what cors-gen emits: literals, string templates with
 * `${...}` and `%{if}/%{else}/%{endif}`, references (`var.x`, `local.x`, `aws_x.y.attr`, `data.t.n.attr`),
 * indexing, function calls, tuples, objects, `for` expressions with `if`, the conditional operator, `!`, unary
 * `-` and the binary operators. Splats, heredocs, `%{for}`, argument expansion (`...`) and unknown functions
 * throw {@link UnsupportedExpression}.
 *
 * Input comes in two shapes: a whole attribute value as `@cdktf/hcl2json` or a `.tf.json` file gives it (a
 * template string such as `"http://${aws_x.y.z}"`, see {@link parseTemplate}), or the text of one expression
 * ({@link parseExpression}). Grammar and precedence: https://github.com/hashicorp/hcl/blob/main/hclsyntax/spec.md
 */
import { ExpressionSyntaxError, UnsupportedExpression, type BinaryOp, type Expr, type TemplatePart } from './ast.js';
import { FUNCTION_NAMES } from './functions.js';

/** Parses one attribute value: a string in which `${...}` and `%{...}` are template sequences. */
export function parseTemplate(text: string): Expr {
  const p = new Parser(text);
  const parts = p.templateParts(false);
  return templateExpr(parts);
}

/** Parses the text of a single expression (what appears between `${` and `}`). */
export function parseExpression(text: string): Expr {
  const p = new Parser(text);
  const e = p.expression();
  p.ws();
  if (!p.atEnd()) throw p.syntax(`unexpected "${p.rest(12)}" after the expression`);
  return e;
}

/** A template made of a single interpolation is that expression's value, unconverted (HCL spec "Template Expressions"). */
function templateExpr(parts: readonly TemplatePart[]): Expr {
  if (parts.length === 0) return { kind: 'literal', value: '' };
  if (parts.length === 1) {
    const only = parts[0]!;
    if (only.kind === 'text') return { kind: 'literal', value: only.text };
    if (only.kind === 'interpolation') return only.expr;
  }
  return { kind: 'template', parts };
}

type FlatPart =
  TemplatePart | { readonly kind: 'directive'; readonly keyword: 'if' | 'else' | 'endif'; readonly condition?: Expr };

const IDENT = /[A-Za-z_][A-Za-z0-9_-]*/y;
const NUMBER = /[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;

class Parser {
  pos = 0;
  constructor(readonly src: string) {}

  atEnd(): boolean {
    return this.pos >= this.src.length;
  }

  rest(n: number): string {
    return this.src.slice(this.pos, this.pos + n);
  }

  syntax(message: string): ExpressionSyntaxError {
    return new ExpressionSyntaxError(`${message} (at character ${this.pos + 1})`);
  }

  ws(): void {
    for (;;) {
      const c = this.src[this.pos];
      if (c === ' ' || c === '\t' || c === '\n' || c === '\r') this.pos++;
      else if (c === '#' || (c === '/' && this.src[this.pos + 1] === '/')) {
        while (this.pos < this.src.length && this.src[this.pos] !== '\n') this.pos++;
      } else if (c === '/' && this.src[this.pos + 1] === '*') {
        const end = this.src.indexOf('*/', this.pos + 2);
        if (end < 0) throw this.syntax('unterminated comment');
        this.pos = end + 2;
      } else return;
    }
  }

  /** Consumes `s` (after whitespace) when it is next. */
  eat(s: string): boolean {
    this.ws();
    if (this.src.startsWith(s, this.pos)) {
      this.pos += s.length;
      return true;
    }
    return false;
  }

  expect(s: string): void {
    if (!this.eat(s))
      throw this.syntax(
        this.atEnd() ? `expected "${s}" but the expression ended` : `expected "${s}" but found "${this.rest(12)}"`,
      );
  }

  peekWord(word: string): boolean {
    this.ws();
    if (!this.src.startsWith(word, this.pos)) return false;
    const after = this.src[this.pos + word.length];
    return after === undefined || !/[A-Za-z0-9_-]/.test(after);
  }

  ident(): string | undefined {
    this.ws();
    IDENT.lastIndex = this.pos;
    const m = IDENT.exec(this.src);
    if (!m) return undefined;
    this.pos += m[0].length;
    return m[0];
  }

  expression(): Expr {
    const condition = this.binary(0);
    if (this.eat('?')) {
      const then = this.expression();
      this.expect(':');
      const otherwise = this.expression();
      return { kind: 'conditional', condition, then, else: otherwise };
    }
    return condition;
  }

  /** Binary operators by HCL precedence, lowest first. */
  private static readonly LEVELS: readonly (readonly BinaryOp[])[] = [
    ['||'],
    ['&&'],
    ['==', '!='],
    ['>=', '<=', '>', '<'],
    ['+', '-'],
    ['*', '/', '%'],
  ];

  private binary(level: number): Expr {
    if (level >= Parser.LEVELS.length) return this.unary();
    let left = this.binary(level + 1);
    for (;;) {
      const op = this.binaryOp(Parser.LEVELS[level]!);
      if (!op) return left;
      const right = this.binary(level + 1);
      left = { kind: 'binary', op, left, right };
    }
  }

  private binaryOp(ops: readonly BinaryOp[]): BinaryOp | undefined {
    this.ws();
    for (const op of ops) {
      if (!this.src.startsWith(op, this.pos)) continue;
      const next = this.src[this.pos + op.length];
      // `=>` (for expressions) and `==` are not `=`-prefixed operators of a lower level; `>` in `=>` never starts here.
      if ((op === '>' || op === '<') && next === '=') continue;
      if (op === '-' && next === '>') continue;
      this.pos += op.length;
      return op;
    }
    return undefined;
  }

  private unary(): Expr {
    this.ws();
    const c = this.src[this.pos];
    if (c === '!' && this.src[this.pos + 1] !== '=') {
      this.pos++;
      return { kind: 'unary', op: '!', operand: this.unary() };
    }
    if (c === '-') {
      this.pos++;
      return { kind: 'unary', op: '-', operand: this.unary() };
    }
    return this.postfix(this.primary());
  }

  private postfix(base: Expr): Expr {
    let e = base;
    for (;;) {
      this.ws();
      if (this.src.startsWith('.*', this.pos) || /^\[\s*\*\s*\]/.test(this.rest(8))) {
        throw new UnsupportedExpression('splat expressions ([*] and .*) are not supported by the preview');
      }
      if (this.src[this.pos] === '.' && !this.src.startsWith('...', this.pos)) {
        this.pos++;
        if (/[0-9]/.test(this.src[this.pos] ?? ''))
          throw new UnsupportedExpression('legacy index syntax (a.0) is not supported by the preview; write a[0]');
        const name = this.ident();
        if (!name) throw this.syntax('expected an attribute name after "."');
        e = { kind: 'getattr', target: e, name };
        continue;
      }
      if (this.src[this.pos] === '[') {
        this.pos++;
        const key = this.expression();
        this.expect(']');
        e = { kind: 'index', target: e, key };
        continue;
      }
      return e;
    }
  }

  private primary(): Expr {
    this.ws();
    const c = this.src[this.pos];
    if (c === undefined) throw this.syntax('expected an expression but the text ended');
    if (/[0-9]/.test(c)) {
      NUMBER.lastIndex = this.pos;
      const m = NUMBER.exec(this.src)!;
      this.pos += m[0].length;
      return { kind: 'literal', value: Number(m[0]) };
    }
    if (c === '"') {
      this.pos++;
      return templateExpr(this.templateParts(true));
    }
    if (c === '<' && this.src.startsWith('<<', this.pos))
      throw new UnsupportedExpression('heredoc strings inside expressions are not supported by the preview');
    if (c === '(') {
      this.pos++;
      const e = this.expression();
      this.expect(')');
      return e;
    }
    if (c === '[') {
      this.pos++;
      if (this.peekWord('for')) return this.forExpr('tuple');
      const items: Expr[] = [];
      while (!this.eat(']')) {
        items.push(this.expression());
        if (!this.eat(',')) {
          this.expect(']');
          break;
        }
      }
      return { kind: 'tuple', items };
    }
    if (c === '{') {
      this.pos++;
      if (this.peekWord('for')) return this.forExpr('object');
      const items: { key: Expr; value: Expr }[] = [];
      while (!this.eat('}')) {
        const key = this.objectKey();
        if (!this.eat('=') && !this.eat(':')) throw this.syntax('expected "=" after an object key');
        const value = this.expression();
        items.push({ key, value });
        this.eat(',');
      }
      return { kind: 'object', items };
    }
    const name = this.ident();
    if (name === undefined) throw this.syntax(`unexpected "${this.rest(12)}"`);
    if (name === 'true' || name === 'false') return { kind: 'literal', value: name === 'true' };
    if (name === 'null') return { kind: 'literal', value: null };
    if (this.src.startsWith('::', this.pos))
      throw new UnsupportedExpression(`provider-defined functions (${name}::...) are not supported by the preview`);
    if (this.eat('(')) return this.call(name);
    return { kind: 'name', name };
  }

  private objectKey(): Expr {
    this.ws();
    if (this.src[this.pos] === '(') return this.primary();
    if (this.src[this.pos] === '"') return this.primary();
    const start = this.pos;
    const name = this.ident();
    if (name === undefined) throw this.syntax('expected an object key');
    // A bare identifier key is a literal string (HCL spec "Collection Values"), unless more expression follows.
    this.ws();
    if (this.src[this.pos] === '=' || this.src[this.pos] === ':') return { kind: 'literal', value: name };
    this.pos = start;
    return this.expression();
  }

  private call(name: string): Expr {
    if (!FUNCTION_NAMES.has(name)) {
      throw new UnsupportedExpression(
        `function "${name}" is not supported by the preview (it evaluates only ${[...FUNCTION_NAMES].sort().join(', ')})`,
      );
    }
    const args: Expr[] = [];
    while (!this.eat(')')) {
      args.push(this.expression());
      if (this.eat('...')) throw new UnsupportedExpression('argument expansion (...) is not supported by the preview');
      if (!this.eat(',')) {
        this.expect(')');
        break;
      }
    }
    return { kind: 'call', name, args };
  }

  private forExpr(result: 'tuple' | 'object'): Expr {
    this.expect('for');
    const first = this.ident();
    if (!first) throw this.syntax('expected a variable name after "for"');
    let keyVar: string | undefined;
    let valueVar = first;
    if (this.eat(',')) {
      const second = this.ident();
      if (!second) throw this.syntax('expected a second variable name');
      keyVar = first;
      valueVar = second;
    }
    if (!this.peekWord('in')) throw this.syntax('expected "in"');
    this.pos += 2;
    const collection = this.expression();
    this.expect(':');
    let keyExpr: Expr | undefined;
    let valueExpr = this.expression();
    if (result === 'object') {
      this.expect('=>');
      keyExpr = valueExpr;
      valueExpr = this.expression();
      if (this.eat('...'))
        throw new UnsupportedExpression('grouping for expressions (...) are not supported by the preview');
    }
    let condition: Expr | undefined;
    if (this.peekWord('if')) {
      this.pos += 2;
      condition = this.expression();
    }
    this.expect(result === 'tuple' ? ']' : '}');
    return {
      kind: 'for',
      result,
      ...(keyVar !== undefined ? { keyVar } : {}),
      valueVar,
      collection,
      ...(keyExpr ? { keyExpr } : {}),
      valueExpr,
      ...(condition ? { condition } : {}),
    };
  }

  /**
   * Template parts up to the closing quote (`quoted`) or the end of the text. Quoted templates process backslash
   * escapes; attribute values from hcl2json and `.tf.json` are already unescaped JSON strings.
   */
  templateParts(quoted: boolean): TemplatePart[] {
    const flat: FlatPart[] = [];
    let text = '';
    let stripNext = false;
    const pushText = () => {
      if (text !== '') flat.push({ kind: 'text', text });
      text = '';
    };
    const stripBefore = () => {
      text = text.replace(/[ \t\r\n]+$/, '');
      const last = flat[flat.length - 1];
      if (text === '' && last?.kind === 'text')
        flat[flat.length - 1] = { kind: 'text', text: last.text.replace(/[ \t\r\n]+$/, '') };
    };
    for (;;) {
      if (this.pos >= this.src.length) {
        if (quoted) throw this.syntax('unterminated string');
        break;
      }
      const c = this.src[this.pos]!;
      if (quoted && c === '"') {
        this.pos++;
        break;
      }
      if (quoted && c === '\n') throw this.syntax('a quoted string cannot contain a newline');
      if (quoted && c === '\\') {
        text += this.escape();
        continue;
      }
      if ((c === '$' || c === '%') && this.src[this.pos + 1] === c && this.src[this.pos + 2] === '{') {
        text += `${c}{`;
        this.pos += 3;
        continue;
      }
      if ((c === '$' || c === '%') && this.src[this.pos + 1] === '{') {
        this.pos += 2;
        const stripLeft = this.src[this.pos] === '~';
        if (stripLeft) {
          this.pos++;
          stripBefore();
        }
        pushText();
        if (c === '$') {
          const expr = this.expression();
          this.ws();
          flat.push({ kind: 'interpolation', expr });
        } else {
          flat.push(this.directive());
        }
        this.ws();
        stripNext = this.src[this.pos] === '~';
        if (stripNext) this.pos++;
        if (this.src[this.pos] !== '}')
          throw this.syntax(`expected "}" to close the template sequence but found "${this.rest(12)}"`);
        this.pos++;
        continue;
      }
      if (stripNext) {
        if (c === ' ' || c === '\t' || c === '\r' || c === '\n') {
          this.pos++;
          continue;
        }
        stripNext = false;
      }
      text += c;
      this.pos++;
    }
    pushText();
    return fold(flat);
  }

  private directive(): FlatPart {
    const word = this.ident();
    if (word === 'if') return { kind: 'directive', keyword: 'if', condition: this.expression() };
    if (word === 'else' || word === 'endif') return { kind: 'directive', keyword: word };
    if (word === 'for' || word === 'endfor')
      throw new UnsupportedExpression('%{for} template directives are not supported by the preview');
    throw this.syntax(`unknown template directive "%{${word ?? this.rest(8)}"`);
  }

  private escape(): string {
    const next = this.src[this.pos + 1];
    const simple: Record<string, string> = { n: '\n', r: '\r', t: '\t', '"': '"', '\\': '\\' };
    if (next !== undefined && next in simple) {
      this.pos += 2;
      return simple[next]!;
    }
    if (next === 'u' || next === 'U') {
      const len = next === 'u' ? 4 : 8;
      const hex = this.src.slice(this.pos + 2, this.pos + 2 + len);
      if (!new RegExp(`^[0-9A-Fa-f]{${len}}$`).test(hex)) throw this.syntax('invalid unicode escape');
      this.pos += 2 + len;
      return String.fromCodePoint(parseInt(hex, 16));
    }
    throw this.syntax(`invalid escape sequence "\\${next ?? ''}"`);
  }
}

/** Turns the flat `%{if}`/`%{else}`/`%{endif}` sequence into nested parts. */
function fold(flat: readonly FlatPart[]): TemplatePart[] {
  let i = 0;
  const block = (inIf: boolean): { parts: TemplatePart[]; end?: 'else' | 'endif' } => {
    const parts: TemplatePart[] = [];
    while (i < flat.length) {
      const p = flat[i++]!;
      if (p.kind !== 'directive') {
        parts.push(p);
        continue;
      }
      if (p.keyword === 'if') {
        const then = block(true);
        let otherwise: TemplatePart[] = [];
        if (then.end === 'else') {
          const e = block(true);
          if (e.end !== 'endif') throw new ExpressionSyntaxError('%{else} without a matching %{endif}');
          otherwise = e.parts;
        } else if (then.end !== 'endif') throw new ExpressionSyntaxError('%{if} without a matching %{endif}');
        parts.push({ kind: 'if', condition: p.condition!, then: then.parts, else: otherwise });
        continue;
      }
      if (!inIf) throw new ExpressionSyntaxError(`%{${p.keyword}} without a matching %{if}`);
      return { parts, end: p.keyword };
    }
    return { parts };
  };
  const out = block(false);
  return out.parts;
}
