import { describe, expect, it } from 'vitest';
import {
  referencedAddresses,
  UnsupportedExpression,
  ExpressionSyntaxError,
  type HclValue,
} from '../../src/terraform/expression/ast.js';
import { evaluate, type Scope } from '../../src/terraform/expression/evaluate.js';
import { parseExpression, parseTemplate } from '../../src/terraform/expression/parse.js';
import { EvalError, jsonEncode } from '../../src/terraform/expression/values.js';

/** A scope with variables, locals and resource attributes given as plain maps. */
function scope(
  values: {
    var?: Record<string, HclValue>;
    local?: Record<string, HclValue>;
    resources?: Record<string, Record<string, HclValue>>;
  } = {},
): Scope {
  return {
    resolve(root, attrs) {
      if (root === 'var' || root === 'local') {
        const table = values[root] ?? {};
        const name = attrs[0];
        if (name === undefined || !(name in table)) throw new Error(`undeclared ${root}.${name}`);
        return { value: table[name]!, consumed: 1 };
      }
      const address = `${root}.${attrs[0]}`;
      const resource = values.resources?.[address];
      if (!resource) throw new Error(`undeclared resource ${address}`);
      if (attrs[1] === undefined) return { value: resource, consumed: 1 };
      return { value: resource[attrs[1]]!, consumed: 2 };
    },
  };
}

const expr = (text: string, s: Scope = scope()) => evaluate(parseExpression(text), s);
const tmpl = (text: string, s: Scope = scope()) => evaluate(parseTemplate(text), s);

describe('HCL expressions: literals, operators, precedence', () => {
  it('evaluates literals, arithmetic and comparison with HCL precedence', () => {
    expect(expr('1 + 2 * 3')).toBe(7);
    expect(expr('(1 + 2) * 3')).toBe(9);
    expect(expr('-2 + 5 % 3')).toBe(0);
    expect(expr('10 / 4')).toBe(2.5);
    expect(expr('3 >= 3 && 2 < 1 || true')).toBe(true);
    expect(expr('null')).toBeNull();
    expect(expr('"a\\tb\\"c\\u00e9"')).toBe('a\tb"cé');
  });

  it('compares with types: "1" is not 1, lists compare deeply', () => {
    expect(expr('"1" == 1')).toBe(false);
    expect(expr('1 == 1.0')).toBe(true);
    expect(expr('["a", ["b"]] == ["a", ["b"]]')).toBe(true);
    expect(expr('{a = 1} != {a = 2}')).toBe(true);
  });

  it('negates, and refuses a non-bool operand', () => {
    expect(expr('!false')).toBe(true);
    expect(expr('!"true"')).toBe(false);
    expect(() => expr('!1')).toThrow(EvalError);
  });

  it('evaluates only the chosen branch of a conditional', () => {
    const s = scope({ local: { empty: [] } });
    expect(expr('length(local.empty) == 0 ? "none" : local.empty[0]', s)).toBe('none');
    expect(() => expr('length(local.empty) == 0 ? local.empty[0] : "none"', s)).toThrow(/out of range/);
    expect(expr('true ? 1 : false ? 2 : 3')).toBe(1);
    expect(expr('false ? 1 : false ? 2 : 3')).toBe(3);
  });

  it('builds tuples and objects, with identifier and quoted keys', () => {
    expect(expr('[1, "two", [3],]')).toEqual([1, 'two', [3]]);
    expect(expr('{ "Version" = "2012", Statement = [{ Effect: "Allow" }] }')).toEqual({
      Version: '2012',
      Statement: [{ Effect: 'Allow' }],
    });
  });
});

describe('HCL expressions: references, indexing, for', () => {
  const s = scope({
    var: { allowed_origins: ['https://a.example.com', 'https://*.example.com'], tags: { team: 'x' } },
    local: { list: ['x', 'y'] },
    resources: { 'aws_api_gateway_rest_api.api': { id: 'api-1', root_resource_id: 'root-1' } },
  });

  it('resolves var, local and resource attributes through the scope', () => {
    expect(expr('var.allowed_origins[1]', s)).toBe('https://*.example.com');
    expect(expr('var.tags["team"]', s)).toBe('x');
    expect(expr('var.tags.team', s)).toBe('x');
    expect(expr('aws_api_gateway_rest_api.api.root_resource_id', s)).toBe('root-1');
    expect(expr('aws_api_gateway_rest_api.api', s)).toEqual({ id: 'api-1', root_resource_id: 'root-1' });
  });

  it('reports an index out of range, a missing key and a missing attribute as evaluation errors', () => {
    expect(() => expr('local.list[2]', s)).toThrow(EvalError);
    expect(() => expr('var.tags["nope"]', s)).toThrow(EvalError);
    expect(() => expr('var.tags.nope', s)).toThrow(EvalError);
    expect(() => expr('local.list[-1]', s)).toThrow(EvalError);
  });

  it('runs for expressions with if over lists and maps (maps in key order)', () => {
    expect(expr('[for o in var.allowed_origins : o if !strcontains(o, "*")]', s)).toEqual(['https://a.example.com']);
    expect(expr('[for i, o in local.list : "${i}:${o}"]', s)).toEqual(['0:x', '1:y']);
    expect(expr('[for k, v in {b = 2, a = 1} : k]')).toEqual(['a', 'b']);
    expect(expr('{for o in ["x", "y"] : o => length(o)}')).toEqual({ x: 1, y: 1 });
    expect(() => expr('{for o in ["x", "x"] : o => 1}')).toThrow(/twice/);
  });

  it('lists every resource address an expression refers to', () => {
    const e = parseExpression(
      'sha1(jsonencode([aws_api_gateway_resource.a, aws_api_gateway_method.b.id, local.x, var.y, data.archive_file.lambda.output_path]))',
    );
    expect(referencedAddresses(e)).toEqual([
      'aws_api_gateway_resource.a',
      'aws_api_gateway_method.b',
      'data.archive_file.lambda',
    ]);
  });
});

describe('HCL templates', () => {
  const s = scope({ local: { any: false, exact: ['https://app.example.com'], n: 600, flag: true } });

  it('returns the value itself for a template that is a single interpolation', () => {
    expect(tmpl('${local.exact}', s)).toEqual(['https://app.example.com']);
    expect(tmpl('${local.n}', s)).toBe(600);
  });

  it('concatenates text and converts numbers and bools', () => {
    expect(tmpl("'${local.n}' and ${local.flag}", s)).toBe("'600' and true");
  });

  it('evaluates %{if}/%{else}/%{endif}, the form hcl2json gives a conditional inside a string', () => {
    expect(tmpl("'%{if local.any}*%{else}${local.exact[0]}%{endif}'", s)).toBe("'https://app.example.com'");
    expect(tmpl("'%{if !local.any}yes%{endif}'", s)).toBe("'yes'");
  });

  it('keeps $${ and %%{ as literal text and strips with ~', () => {
    expect(tmpl('#set($x = $${literal})')).toBe('#set($x = ${literal})');
    expect(tmpl('a %%{b}')).toBe('a %{b}');
    expect(tmpl('a   ${~ "b" ~}   c')).toBe('abc');
  });

  it('nests quoted templates inside expressions inside templates', () => {
    expect(tmpl('${substr("${local.n}-site-", 0, 5)}', s)).toBe('600-s');
  });

  it('refuses to interpolate null or a list', () => {
    expect(() => tmpl('x${null}', s)).toThrow(EvalError);
    expect(() => tmpl('x${local.exact}', s)).toThrow(/list/);
  });
});

describe('HCL functions', () => {
  it('jsonencode writes what Terraform writes: sorted keys, no spaces, HTML-safe escapes', () => {
    expect(expr('jsonencode({"b" = [1, true, null], "a" = "<&>"})')).toBe(
      '{"a":"\\u003c\\u0026\\u003e","b":[1,true,null]}',
    );
    expect(jsonEncode(['a"b\\c\n'])).toBe('["a\\"b\\\\c\\n"]');
  });

  it('concat, distinct and contains', () => {
    expect(expr('distinct(concat(["a", "b"], ["b", "c"], []))')).toEqual(['a', 'b', 'c']);
    expect(expr('contains(["a", "*"], "*")')).toBe(true);
    expect(expr('contains([1], "1")')).toBe(false);
    expect(() => expr('concat("a")')).toThrow(EvalError);
  });

  it('strcontains, replace (literal and /regex/), join, length, substr, trimsuffix', () => {
    expect(expr('strcontains("https://*.x.com", "*")')).toBe(true);
    expect(expr('replace(replace("https://*.x.com", ".", "[.]"), "*", "[a-z0-9]+")')).toBe(
      'https://[a-z0-9]+[.]x[.]com',
    );
    expect(expr('replace("a1b22", "/[0-9]+/", "#")')).toBe('a#b#');
    expect(expr('replace("ab", "/(a)(b)/", "$2$${1}")')).toBe('ba');
    expect(expr('join(" ", ["a", "b"], ["c"])')).toBe('a b c');
    expect(expr('length("héllo")')).toBe(5);
    expect(expr('length({a = 1})')).toBe(1);
    expect(expr('substr("orders-api-site-", 0, 37)')).toBe('orders-api-site-');
    expect(expr('substr("abcdef", 2, 3)')).toBe('cde');
    expect(expr('substr("abcdef", -2, -1)')).toBe('ef');
    expect(expr('trimsuffix("https://x.on.aws/", "/")')).toBe('https://x.on.aws');
    expect(() => expr('join(",", [null])')).toThrow(EvalError);
  });

  it('sha1 of a string is its hex digest', () => {
    expect(expr('sha1("abc")')).toBe('a9993e364706816aba3e25717850c26c9cd0d89d');
  });

  // Expected values printed by `terraform console` (Terraform 1.11.4) for the same expressions.
  it('jsonencode and sha1 agree with terraform console on numbers, escapes, key order and Unicode forms', () => {
    expect(
      expr(
        'jsonencode({ "b" = 1e21, "a" = 0.0000001, "c" = "<>&\\u2028\\u0008\\u000c\\u0001\\u007f", "é" = 1, "z" = 1, "\\uff01" = 1, "😀" = 1, "f" = 1.5, "neg" = -0.5 })',
      ),
    ).toBe(
      '{"a":0.0000001,"b":1000000000000000000000,"c":"\\u003c\\u003e\\u0026\\u2028\\b\\f\\u0001\x7f","f":1.5,"neg":-0.5,"z":1,"é":1,"！":1,"😀":1}',
    );
    expect(expr('jsonencode([true, null, 3, 1e30])')).toBe(`[true,null,3,1${'0'.repeat(30)}]`);
    expect(expr('"${1e21} ${0.1} ${1e-7}"')).toBe('1000000000000000000000 0.1 0.0000001');
    expect(expr('jsonencode({"\\u00e9" = "\\u00e9", "e\\u0301" = "e\\u0301"})')).toBe('{"\u00e9":"\u00e9"}');
    expect(expr('sha1("e\\u0301")')).toBe('bf15be717ac1b080b4f1c456692825891ff5073d');
    expect(expr('sha1("\\u00e9")')).toBe('bf15be717ac1b080b4f1c456692825891ff5073d');
  });

  // Expected values printed by `terraform console` (Terraform 1.11.4); the module counts the UTF-8 bytes of its
  // environment with this expression, as Lambda counts them.
  it('base64encode encodes the UTF-8 bytes of the NFC form, so the bytes of a string can be counted', () => {
    expect(expr('base64encode("e\\u0301")')).toBe('w6k=');
    const bytes = (s: string) => expr(`floor(length(replace(base64encode(${s}), "=", "")) * 3 / 4)`);
    expect(bytes('""')).toBe(0);
    expect(bytes('"a"')).toBe(1);
    expect(bytes('"ab"')).toBe(2);
    expect(bytes('join("", ["A", "é😀x", "KEY_é", "e\\u0301"])')).toBe(16);
  });

  it('try returns the first argument that evaluates; can says whether one does', () => {
    expect(expr('try([][0], "fallback")')).toBe('fallback');
    expect(expr('try("first", [][0])')).toBe('first');
    expect(() => expr('try([][0], {}["x"])')).toThrow(/no expression succeeded/);
    expect(expr('can(regex("^a+$", "aaa"))')).toBe(true);
    expect(expr('can(regex("^a+$", "b"))')).toBe(false);
  });

  it('try does not hide a reference to something undeclared', () => {
    expect(() => expr('try(local.missing, "x")')).toThrow(/undeclared local.missing/);
  });

  it('alltrue and regex with the validation patterns of a generated module', () => {
    expect(
      expr(
        'alltrue([for o in ["https://a.example.com", "*"] : o == "*" || can(regex("^https?://([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?[.])*[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(:[0-9]{1,5})?$", o))])',
      ),
    ).toBe(true);
    expect(expr('alltrue([for o in ["https://A.example.com/"] : can(regex("^https?://[a-z.]+$", o))])')).toBe(false);
    expect(expr('alltrue([])')).toBe(true);
    expect(expr('regex("^(a)(b)?$", "a")')).toEqual(['a', null]);
    expect(expr('regex("^(?P<x>a)$", "a")')).toEqual({ x: 'a' });
  });

  it('checks the number of arguments', () => {
    expect(() => expr('length("a", "b")')).toThrow(/takes 1 argument/);
  });
});

describe('HCL syntax outside the supported subset fails loudly', () => {
  it.each([
    ['an unknown function', 'lookup(var.x, "a", "b")', /function "lookup" is not supported/],
    ['a splat', 'aws_x.y[*].id', /splat/],
    ['an attribute splat', 'aws_x.y.*.id', /splat/],
    ['argument expansion', 'concat(var.x...)', /expansion/],
    ['a heredoc', '<<EOT\nx\nEOT', /heredoc/],
    ['a provider function', 'provider::aws::arn_parse("x")', /provider-defined/],
    ['legacy index syntax', 'var.x.0', /legacy index/],
  ])('refuses %s', (_what, text, message) => {
    expect(() => parseExpression(text)).toThrow(UnsupportedExpression);
    expect(() => parseExpression(text)).toThrow(message);
  });

  it('refuses %{for} directives in templates', () => {
    expect(() => parseTemplate('%{for x in var.y}${x}%{endfor}')).toThrow(UnsupportedExpression);
  });

  it.each([['1 +'], ['(1'], ['"open'], ['[1, 2'], ['a ? b'], ['%{if true}x']])(
    'reports a syntax error in %s',
    (text) => {
      expect(() => (text.startsWith('%') ? parseTemplate(text) : parseExpression(text))).toThrow(ExpressionSyntaxError);
    },
  );
});
