/**
 * Variable types as Terraform declares them (`string`, `list(string)`, ...) and its conversion of a value to one:
 * https://developer.hashicorp.com/terraform/language/expressions/type-constraints#conversion-of-primitive-types.
 */
import type { HclValue } from '../../terraform/expression/ast.js';
import {
  EvalError,
  isList,
  isObject,
  toBool,
  toNumber,
  toStringValue,
  typeName,
} from '../../terraform/expression/values.js';
import { ModuleError } from '../errors.js';

export type HclType =
  | { readonly kind: 'string' | 'number' | 'bool' | 'any' }
  | { readonly kind: 'list' | 'set' | 'map'; readonly element: HclType };

/** A variable's `type`: `string`, `number`, `bool`, `any`, `list(T)`, `set(T)`, `map(T)`; others are refused. */
export function parseType(raw: string, where: { file: string; address: string }): HclType {
  const text = raw.replace(/^\$\{([\s\S]*)\}$/, '$1').replace(/\s+/g, '');
  let pos = 0;
  const parse = (): HclType => {
    const m = /^[a-z]+/.exec(text.slice(pos));
    if (!m) throw new ModuleError(`type ${JSON.stringify(raw)} is not supported by the preview`, where);
    pos += m[0].length;
    const name = m[0];
    if (name === 'string' || name === 'number' || name === 'bool' || name === 'any') return { kind: name };
    if ((name === 'list' || name === 'set' || name === 'map') && text[pos] === '(') {
      pos++;
      const element = parse();
      if (text[pos] !== ')')
        throw new ModuleError(`type ${JSON.stringify(raw)} is not supported by the preview`, where);
      pos++;
      return { kind: name, element };
    }
    throw new ModuleError(
      `type ${JSON.stringify(raw)} is not supported by the preview (it reads string, number, bool, any, list(T), set(T) and map(T))`,
      where,
    );
  };
  const t = parse();
  if (pos !== text.length) throw new ModuleError(`type ${JSON.stringify(raw)} is not supported by the preview`, where);
  return t;
}

/** Terraform's conversion of a variable value to its declared type (strings <-> numbers and bools, sets deduplicated). */
export function convertToType(value: HclValue, type: HclType, where: { file: string; address: string }): HclValue {
  if (value === null || type.kind === 'any') return value;
  const fail = (): never => {
    throw new ModuleError(
      `the value is ${isList(value) ? 'a list' : isObject(value) ? 'an object' : `a ${typeName(value)}`}, which cannot be converted to ${describe(type)}`,
      where,
    );
  };
  try {
    switch (type.kind) {
      case 'string':
        if (typeof value === 'object') fail();
        return toStringValue(value, 'the value');
      case 'number':
        return toNumber(value, 'the value');
      case 'bool':
        return toBool(value, 'the value');
      case 'list':
      case 'set': {
        if (!isList(value)) return fail();
        const items = value.map((x, i) =>
          convertToType(x, type.element, { ...where, address: `${where.address}[${i}]` }),
        );
        return type.kind === 'set'
          ? items.filter((x, i) => items.findIndex((y) => JSON.stringify(y) === JSON.stringify(x)) === i)
          : items;
      }
      case 'map': {
        if (!isObject(value)) return fail();
        return Object.fromEntries(
          Object.entries(value).map(([k, v]) => [
            k,
            convertToType(v, type.element, { ...where, address: `${where.address}[${JSON.stringify(k)}]` }),
          ]),
        );
      }
    }
  } catch (e) {
    if (e instanceof EvalError) throw new ModuleError(`${e.message} (declared type: ${describe(type)})`, where);
    throw e;
  }
}

function describe(t: HclType): string {
  return 'element' in t ? `${t.kind}(${describe(t.element)})` : t.kind;
}
