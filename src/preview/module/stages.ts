/** A module's stages: the `stages/<name>.tfvars` files `cors-gen generate` writes, read as `-var-file` would. */
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import type { HclValue } from '../../terraform/expression/ast.js';
import { evaluate, type Scope } from '../../terraform/expression/evaluate.js';
import { parseTemplate } from '../../terraform/expression/parse.js';
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
