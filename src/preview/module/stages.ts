/** A module's stages: the `stages/<name>.tfvars` files `cors-gen generate` writes, read as `-var-file` would. */
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import type { HclValue } from '../../terraform/expression/ast.js';
import { evaluate, type Scope } from '../../terraform/expression/evaluate.js';
import { parseExpression, parseTemplate } from '../../terraform/expression/parse.js';
import { ModuleError, PreviewSetupError } from '../errors.js';
import { located } from './located.js';
import {
  checkNesting,
  parseHclFile,
  readModuleFile,
  type ModuleDocument,
  type RawBody,
  type RawValue,
} from './load.js';

/** The stages the module was generated with: `stages/<name>.tfvars` (or `.tfvars.json`), sorted. */
export async function moduleStages(doc: ModuleDocument): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(path.join(doc.dir, 'stages'));
  } catch {
    return [];
  }
  const stages = names
    .map((n) => /^([A-Za-z0-9_-]+)\.tfvars(\.json)?$/.exec(n)?.[1])
    .filter((n): n is string => n !== undefined);
  return [...new Set(stages)].sort();
}

/**
 * The variable values of `stages/<stage>.tfvars` (or `.tfvars.json`), as `-var-file` would set them. A stage the
 * module does not have is refused with the list of those it has.
 */
export async function loadStageValues(doc: ModuleDocument, stage: string): Promise<Map<string, HclValue>> {
  const hcl = path.join(doc.dir, 'stages', `${stage}.tfvars`);
  const json = `${hcl}.json`;
  const file = /^[A-Za-z0-9_-]+$/.test(stage)
    ? existsSync(hcl)
      ? hcl
      : existsSync(json)
        ? json
        : undefined
    : undefined;
  if (!file) {
    const stages = await moduleStages(doc);
    const shown = JSON.stringify(stage);
    const add = `add stages.${/^[A-Za-z0-9_-]+$/.test(stage) ? stage : '<name>'}.allowOrigins to the spec and run "cors-gen generate"`;
    if (stages.length === 0) {
      throw new PreviewSetupError(
        `--stage ${shown}: the module has no stages (no stages/*.tfvars); without --stage the preview serves its defaults`,
        { code: 'unknown-stage', fix: `leave --stage out, or ${add}` },
      );
    }
    throw new PreviewSetupError(`--stage ${shown}: the module has no such stage; its stages are ${stages.join(', ')}`, {
      code: 'unknown-stage',
      fix: `use ${stages.map((s) => `--stage ${s}`).join(' or ')}, or ${add}`,
    });
  }
  const display = path.relative(doc.dir, file);
  const text = await readModuleFile(doc.dir, display);
  let body: RawBody;
  if (file.endsWith('.json')) {
    try {
      body = JSON.parse(text) as RawBody;
    } catch (e) {
      throw new ModuleError(`not valid JSON: ${(e as Error).message}`, { file: display });
    }
  } else body = await parseHclFile(text, display);
  checkNesting(body, display);
  const noReferences: Scope = {
    resolve(root) {
      throw new ModuleError(`a .tfvars file cannot refer to "${root}"`);
    },
  };
  const values = new Map<string, HclValue>();
  for (const [name, raw] of Object.entries(body)) {
    if (name === '//') continue;
    const where = { file: display, address: name };
    const walk = (v: RawValue): HclValue => {
      if (typeof v === 'string') {
        try {
          return evaluate(parseTemplate(v), noReferences);
        } catch (e) {
          throw located(e, where, v);
        }
      }
      if (v === null || typeof v !== 'object') return v;
      if (Array.isArray(v)) return v.map(walk);
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    };
    values.set(name, walk(raw));
  }
  return values;
}

/**
 * The values of `--var NAME=VALUE` flags, as `terraform plan -var` reads them: the text as it is for a variable of
 * a primitive type, an HCL expression (`{ FOO = "bar" }`, `["a"]`) for a collection
 * (https://developer.hashicorp.com/terraform/language/values/variables#variables-on-the-command-line). They win
 * over the stage's file, as a later -var wins over an earlier -var-file.
 */
export function parseVarFlags(doc: ModuleDocument, flags: readonly string[]): Map<string, HclValue> {
  const values = new Map<string, HclValue>();
  for (const flag of flags) {
    const eq = flag.indexOf('=');
    const name = eq > 0 ? flag.slice(0, eq) : '';
    const fix = 'write --var NAME=VALUE, e.g. --var \'environment_variables={ LOG_LEVEL = "debug" }\'';
    if (!/^[A-Za-z_][\w-]*$/.test(name))
      throw new PreviewSetupError(`--var ${JSON.stringify(flag)}: expected NAME=VALUE`, { code: 'bad-var', fix });
    const block = doc.variables.get(name);
    if (!block)
      throw new PreviewSetupError(`--var ${name}: the module declares no variable "${name}"`, {
        code: 'bad-var',
        fix: `use one of ${[...doc.variables.keys()].join(', ')}`,
      });
    const text = flag.slice(eq + 1);
    const type = typeof block.body['type'] === 'string' ? block.body['type'].replace(/^\$\{(.*)\}$/s, '$1') : 'any';
    if (/^(string|number|bool)$/.test(type.trim())) {
      values.set(name, text);
      continue;
    }
    try {
      values.set(
        name,
        evaluate(parseExpression(text), {
          resolve(root) {
            throw new ModuleError(`a --var value cannot refer to "${root}"`);
          },
        }),
      );
    } catch (e) {
      throw new PreviewSetupError(`--var ${name}: ${(e as Error).message}`, { code: 'bad-var', fix });
    }
  }
  return values;
}
