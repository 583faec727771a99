/**
 * Turns a generated module folder into a replica made of Terraform's built-in `terraform_data` resources, so that
 * `terraform plan/apply` order the replica's operations exactly as they would order the module's, offline.
 *
 * Each resource `T.N` of the module becomes:
 * - `terraform_data.T__N`: the module's arguments, ForceNew ones (see force-new.ts) in `triggers_replace` and the
 *   rest in `input`; the same `lifecycle` and `depends_on`; references rewritten to the replica (a computed
 *   attribute such as `.id` or `.arn` becomes a string derived from the replica's `id`, which is unknown until the
 *   object is created, like the real one; an argument is inlined, with a dependency on the resource, since the
 *   real provider knows it at plan). Its destroy-time provisioner deletes the object from the account model.
 * - `terraform_data.T__N__apply`: replaced whenever `T__N` is created or updated; its create-time provisioner
 *   writes the object into the account model (provisioners run only on create, so this is where an in-place
 *   update reaches the model). It depends on everything `T__N` depends on, and everything that depends on `T__N`
 *   also depends on it, so it sits in the graph where the real provider's create/update call would be.
 *
 * Data sources become constants (they call no API the lifecycle depends on). The module's `removed` and `moved`
 * blocks are mapped to the replica's addresses; objects in the state that the new configuration no longer
 * declares get a `removed` block carrying the destroy provisioner, because a provisioner removed from the
 * configuration would otherwise not run (https://developer.hashicorp.com/terraform/language/resources/provisioners/syntax#destroy-time-provisioners).
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { asList, readModule, type ModuleDocument, type RawBody, type RawValue } from '../../src/terraform/document.js';
import { attrChain, referencedAddresses, type Expr, type TemplatePart } from '../../src/terraform/expression/ast.js';
import { parseExpression, parseTemplate } from '../../src/terraform/expression/parse.js';
import { FORCE_NEW } from './force-new.js';

/** Meta-arguments and blocks that are not sent to the provider. */
const META = new Set([
  'lifecycle',
  'depends_on',
  'provider',
  'count',
  'for_each',
  'provisioner',
  'connection',
  'timeouts',
]);

/** The replica's name for a module resource address. */
export const replicaName = (address: string): string => address.replace('.', '__');

/** Every file of a module folder that Terraform reads (`*.tf`, `*.tf.json`), by name. */
export function moduleFiles(dir: string): Array<[string, string]> {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.tf') || f.endsWith('.tf.json'))
    .sort()
    .map((f) => [f, readFileSync(path.join(dir, f), 'utf8')]);
}

export interface Replica {
  /** The replica's configuration in Terraform's JSON syntax. */
  readonly config: Record<string, unknown>;
  /** Module resource addresses, in document order. */
  readonly addresses: readonly string[];
}

/**
 * The replica of the module in `dir`, whose provisioners call the account model served at `modelUrl`.
 * `inState` lists the replica resource addresses (`terraform_data.x`) the workspace's state holds, so the ones
 * the module dropped get a `removed` block that still runs their delete.
 */
export async function buildReplica(dir: string, modelUrl: string, inState: readonly string[] = []): Promise<Replica> {
  const doc = await readModule(moduleFiles(dir));
  return new ReplicaBuilder(doc, dir, modelUrl).build(inState);
}

/**
 * The shell command a provisioner runs: sends $CALL to the model (curl starts far faster than node, and the
 * replica makes one call per object) and fails with the model's answer, AWS's error text, when it refuses.
 */
function modelCommand(modelUrl: string, op: 'put' | 'delete'): string {
  return `printf '%s' "$CALL" | curl -sS --noproxy '*' --fail-with-body --data-binary @- "${modelUrl}/${op}/$AWS_REGION"`;
}

class ReplicaBuilder {
  readonly #localRefs = new Map<string, Set<string>>();

  constructor(
    readonly doc: ModuleDocument,
    readonly dir: string,
    readonly modelUrl: string,
  ) {}

  build(inState: readonly string[]): Replica {
    const resources: Record<string, unknown> = {};
    const addresses = [...this.doc.resources.keys()];
    for (const block of this.doc.resources.values()) {
      const forceNew = FORCE_NEW[block.type];
      if (forceNew === undefined)
        throw new Error(`${block.address}: no ForceNew list for ${block.type} in test/lifecycle/force-new.ts`);
      const triggers: Record<string, unknown> = {};
      const input: Record<string, unknown> = {};
      const refs = new Set<string>();
      for (const [key, value] of Object.entries(block.body)) {
        if (META.has(key)) continue;
        const rewritten = this.value(value, refs);
        if (forceNew === 'all' || forceNew.includes(key)) triggers[key] = rewritten;
        else input[key] = rewritten;
      }
      // count and for_each repeat the replica as they repeat the resource (the inputs' extra policies).
      const repeat: Record<string, unknown> = {};
      for (const meta of ['count', 'for_each'] as const)
        if (block.body[meta] !== undefined) repeat[meta] = this.value(block.body[meta]!, refs);
      for (const dep of asList(block.body.depends_on)) for (const a of this.refsOf(dep as RawValue)) refs.add(a);
      refs.delete(block.address);
      const name = replicaName(block.address);
      const dependsOn = [...refs]
        .sort()
        .flatMap((a) => [`terraform_data.${replicaName(a)}`, `terraform_data.${replicaName(a)}__apply`]);
      const lifecycle = asList(block.body.lifecycle)[0] as RawBody | undefined;
      const instance =
        repeat.for_each !== undefined
          ? `${name}[each.key]`
          : repeat.count !== undefined
            ? `${name}[count.index]`
            : name;
      resources[name] = {
        ...repeat,
        triggers_replace: triggers,
        input,
        ...(dependsOn.length ? { depends_on: dependsOn } : {}),
        ...(lifecycle?.create_before_destroy ? { lifecycle: { create_before_destroy: true } } : {}),
        provisioner: [{ 'local-exec': this.deleteCall(block.type, block.address) }],
      };
      resources[`${name}__apply`] = {
        ...repeat,
        triggers_replace: {
          id: `\${terraform_data.${instance}.id}`,
          args: `\${terraform_data.${instance}.output}`,
          force_new: `\${terraform_data.${instance}.triggers_replace}`,
        },
        ...(dependsOn.length ? { depends_on: dependsOn } : {}),
        ...(lifecycle?.create_before_destroy ? { lifecycle: { create_before_destroy: true } } : {}),
        provisioner: [
          {
            'local-exec': {
              command: modelCommand(this.modelUrl, 'put'),
              environment: {
                CALL: `\${jsonencode(merge(self.triggers_replace, { type = "${block.type}", address = "${block.address}" }))}`,
              },
            },
          },
        ],
      };
    }

    const locals: Record<string, unknown> = {};
    for (const [name, { value }] of this.doc.locals) locals[name] = this.value(value, new Set());

    const variables: Record<string, unknown> = {};
    for (const [name, { body }] of this.doc.variables) {
      const v: Record<string, unknown> = {};
      for (const [k, val] of Object.entries(body)) {
        // JSON syntax takes a type constraint as the bare expression text, not as a template.
        if (k === 'type' && typeof val === 'string') v.type = val.replace(/^\$\{([\s\S]*)\}$/, '$1');
        else v[k] = val;
      }
      variables[name] = v;
    }
    variables.lifecycle_region = { type: 'string', default: 'us-east-1' };

    const removed: unknown[] = [];
    const moved: unknown[] = [];
    const handled = new Set<string>();
    for (const { kind, value } of this.doc.other) {
      if (kind !== 'removed' && kind !== 'moved') continue;
      for (const item of asList(value) as RawBody[]) {
        if (kind === 'removed') {
          const from = stripRef(item.from);
          const lifecycle = asList(item.lifecycle)[0] as RawBody | undefined;
          const destroy = lifecycle?.destroy !== false;
          for (const suffix of ['', '__apply']) {
            const address = `terraform_data.${replicaName(from)}${suffix}`;
            handled.add(address);
            if (!inState.includes(address)) continue;
            removed.push({
              from: address,
              lifecycle: { destroy },
              ...(destroy && suffix === ''
                ? { provisioner: [{ 'local-exec': this.deleteCall(from.split('.')[0]!, from) }] }
                : {}),
            });
          }
        } else {
          const from = stripRef(item.from);
          const to = stripRef(item.to);
          for (const suffix of ['', '__apply']) {
            moved.push({
              from: `terraform_data.${replicaName(from)}${suffix}`,
              to: `terraform_data.${replicaName(to)}${suffix}`,
            });
            handled.add(`terraform_data.${replicaName(from)}${suffix}`);
          }
        }
      }
    }
    const declared = new Set(Object.keys(resources).map((n) => `terraform_data.${n}`));
    for (const address of inState) {
      if (declared.has(address) || handled.has(address) || address.endsWith('__apply')) continue;
      const original = address.slice('terraform_data.'.length).replace('__', '.');
      removed.push({
        from: address,
        lifecycle: { destroy: true },
        provisioner: [{ 'local-exec': this.deleteCall(original.split('.')[0]!, original) }],
      });
    }

    const config: Record<string, unknown> = {
      terraform: { required_version: '>= 1.9.0' },
      variable: variables,
      resource: { terraform_data: resources },
    };
    if (Object.keys(locals).length) config.locals = locals;
    if (removed.length) config.removed = removed;
    if (moved.length) config.moved = moved;
    return { config, addresses };
  }

  /** The destroy-time provisioner that deletes the object from the account model. */
  deleteCall(type: string, address: string): Record<string, unknown> {
    return {
      when: 'destroy',
      command: modelCommand(this.modelUrl, 'delete'),
      environment: {
        CALL: `\${jsonencode({ type = "${type}", address = "${address}", id = self.id, args = self.input, force_new = self.triggers_replace })}`,
      },
    };
  }

  /** A raw attribute value with its references rewritten to the replica; `refs` collects the module addresses. */
  value(value: RawValue, refs: Set<string>): unknown {
    if (typeof value === 'string') {
      const expr = parseTemplate(value);
      for (const a of this.refsOfExpr(expr)) refs.add(a);
      return templateText(this.rewrite(expr, refs));
    }
    if (Array.isArray(value)) return value.map((v) => this.value(v, refs));
    if (value !== null && typeof value === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) out[k] = this.value(v, refs);
      return out;
    }
    return value;
  }

  /** The module resource addresses a value refers to, directly or through locals. */
  refsOf(value: RawValue): string[] {
    return typeof value === 'string' ? this.refsOfExpr(parseTemplate(value)) : [];
  }

  refsOfExpr(expr: Expr): string[] {
    const out = new Set<string>();
    for (const a of referencedAddresses(expr)) if (!a.startsWith('data.')) out.add(a);
    for (const name of localNames(expr)) for (const a of this.localRefs(name)) out.add(a);
    return [...out];
  }

  localRefs(name: string): Set<string> {
    let refs = this.#localRefs.get(name);
    if (refs) return refs;
    refs = new Set();
    this.#localRefs.set(name, refs);
    const local = this.doc.locals.get(name);
    if (local) for (const a of collectRefs(local.value, this)) refs.add(a);
    return refs;
  }

  /** The expression with module references replaced by replica expressions. */
  rewrite(e: Expr, refs: Set<string>): Expr {
    const chain = attrChain(e);
    if (
      chain &&
      chain.length >= 2 &&
      !['var', 'local', 'path', 'self', 'count', 'each', 'terraform'].includes(chain[0]!)
    ) {
      if (chain[0] === 'data') return this.dataValue(chain);
      const [type, name, attr, ...rest] = chain;
      const address = `${type}.${name}`;
      const block = this.doc.resources.get(address);
      if (!block) throw new Error(`reference to undeclared ${address}`);
      refs.add(address);
      const replica = `terraform_data.${replicaName(address)}`;
      let base: Expr;
      if (attr === undefined) base = parseExpression(replica);
      else if (attr === 'id') base = parseExpression(`${replica}.id`);
      else if (attr in block.body && !META.has(attr)) {
        const inner = block.body[attr]!;
        base =
          typeof inner === 'string' ? this.rewrite(parseTemplate(inner), refs) : literalOf(this.value(inner, refs));
      } else base = parseTemplate(`${attr}-\${${replica}.id}`);
      return rest.reduce<Expr>((t, n) => ({ kind: 'getattr', target: t, name: n }), base);
    }
    const counted = countedReference(e);
    if (counted) {
      // `T.N[k].attr` of a counted resource: the same, on the replica's instance `k`.
      const attr = counted.attrs[0]!;
      const rest = counted.attrs.slice(1);
      const address = counted.address;
      const block = this.doc.resources.get(address);
      if (!block) throw new Error(`reference to undeclared ${address}`);
      refs.add(address);
      const replica = `terraform_data.${replicaName(address)}[${counted.key}]`;
      let base: Expr;
      if (attr === 'id') base = parseExpression(`${replica}.id`);
      else if (attr in block.body && !META.has(attr)) {
        const inner = block.body[attr]!;
        base =
          typeof inner === 'string' ? this.rewrite(parseTemplate(inner), refs) : literalOf(this.value(inner, refs));
      } else base = parseTemplate(`${attr}-\${${replica}.id}`);
      return rest.reduce<Expr>((t, n) => ({ kind: 'getattr', target: t, name: n }), base);
    }
    switch (e.kind) {
      case 'literal':
      case 'name':
        return e;
      case 'getattr':
        return { ...e, target: this.rewrite(e.target, refs) };
      case 'index':
        return { ...e, target: this.rewrite(e.target, refs), key: this.rewrite(e.key, refs) };
      case 'template':
        return { ...e, parts: e.parts.map((p) => this.rewritePart(p, refs)) };
      case 'call':
        return { ...e, args: e.args.map((a) => this.rewrite(a, refs)) };
      case 'tuple':
        return { ...e, items: e.items.map((i) => this.rewrite(i, refs)) };
      case 'object':
        return {
          ...e,
          items: e.items.map((i) => ({ key: this.rewrite(i.key, refs), value: this.rewrite(i.value, refs) })),
        };
      case 'unary':
        return { ...e, operand: this.rewrite(e.operand, refs) };
      case 'binary':
        return { ...e, left: this.rewrite(e.left, refs), right: this.rewrite(e.right, refs) };
      case 'conditional':
        return {
          ...e,
          condition: this.rewrite(e.condition, refs),
          then: this.rewrite(e.then, refs),
          else: this.rewrite(e.else, refs),
        };
      case 'for':
        return {
          ...e,
          collection: this.rewrite(e.collection, refs),
          valueExpr: this.rewrite(e.valueExpr, refs),
          ...(e.keyExpr ? { keyExpr: this.rewrite(e.keyExpr, refs) } : {}),
          ...(e.condition ? { condition: this.rewrite(e.condition, refs) } : {}),
        };
    }
  }

  rewritePart(p: TemplatePart, refs: Set<string>): TemplatePart {
    if (p.kind === 'text') return p;
    if (p.kind === 'interpolation') return { ...p, expr: this.rewrite(p.expr, refs) };
    return {
      ...p,
      condition: this.rewrite(p.condition, refs),
      then: p.then.map((q) => this.rewritePart(q, refs)),
      else: p.else.map((q) => this.rewritePart(q, refs)),
    };
  }

  /** A data source attribute as a constant: none of them calls an API the lifecycle depends on. */
  dataValue(chain: string[]): Expr {
    const [, type, name, attr] = chain;
    const block = this.doc.data.get(`data.${type}.${name}`);
    if (!block) throw new Error(`reference to undeclared data.${type}.${name}`);
    switch (`${type}.${attr}`) {
      case 'aws_partition.partition':
        return literalOf('aws');
      case 'aws_partition.dns_suffix':
        return literalOf('amazonaws.com');
      case 'aws_region.name':
      case 'aws_region.region':
      case 'aws_region.id':
        return parseExpression('var.lifecycle_region');
      case 'aws_caller_identity.account_id':
        return literalOf('123456789012');
      case 'archive_file.output_path':
        return literalOf('lambda.zip');
      case 'archive_file.output_base64sha256':
      case 'archive_file.output_sha256':
      case 'archive_file.output_md5': {
        let source = String(block.body.source_dir ?? '');
        // lambda.source: source_dir is a local whose fallback is the user's folder, written from path.module.
        const local = /^\$\{local\.(\w+)\}$/.exec(source)?.[1];
        if (local)
          source = /"(\$\{path\.module\}[^"]*)"/.exec(String(this.doc.locals.get(local)?.value ?? ''))?.[1] ?? source;
        source = source.replace('${path.module}', this.dir);
        return literalOf(folderHash(source));
      }
      default:
        throw new Error(`data.${type}.${name}.${attr}: no constant for it in test/lifecycle/replica.ts`);
    }
  }
}

function collectRefs(value: RawValue, b: ReplicaBuilder): string[] {
  if (typeof value === 'string') return b.refsOf(value);
  if (Array.isArray(value)) return value.flatMap((v) => collectRefs(v, b));
  if (value !== null && typeof value === 'object') return Object.values(value).flatMap((v) => collectRefs(v, b));
  return [];
}

function localNames(expr: Expr): string[] {
  const out: string[] = [];
  const visit = (e: unknown): void => {
    if (!e || typeof e !== 'object') return;
    const chain = attrChain(e as Expr);
    if (chain && chain[0] === 'local' && chain[1]) {
      out.push(chain[1]);
      return;
    }
    for (const v of Object.values(e)) visit(v);
  };
  visit(expr);
  return out;
}

function stripRef(value: unknown): string {
  return String(value).replace(/^\$\{([\s\S]*)\}$/, '$1');
}

/** A stable digest of a folder's files, standing in for `archive_file`'s hash of the zip. */
function folderHash(dir: string): string {
  const hash = createHash('sha256');
  const walk = (d: string, rel: string): void => {
    for (const f of readdirSync(d).sort()) {
      const full = path.join(d, f);
      if (statSync(full).isDirectory()) walk(full, `${rel}${f}/`);
      else hash.update(`${rel}${f}\0`).update(readFileSync(full)).update('\0');
    }
  };
  walk(dir, '');
  return hash.digest('base64');
}

// ---- printing expressions back as HCL ------------------------------------------------------------------------

/** A value as an expression: JSON-syntax values (objects, lists, templates) re-parsed. */
function literalOf(value: unknown): Expr {
  if (typeof value === 'string') return parseTemplate(value);
  if (Array.isArray(value)) return { kind: 'tuple', items: value.map(literalOf) };
  if (value !== null && typeof value === 'object')
    return {
      kind: 'object',
      items: Object.entries(value).map(([k, v]) => ({ key: { kind: 'literal', value: k }, value: literalOf(v) })),
    };
  return { kind: 'literal', value: value as null | number | boolean };
}

/** An expression as a JSON-syntax string: the text of a template that evaluates to it. */
function templateText(e: Expr): string {
  if (e.kind === 'literal' && typeof e.value === 'string') return escapeTemplate(e.value);
  if (e.kind === 'template') return e.parts.map((p) => partText(p)).join('');
  return `\${${expr(e)}}`;
}

function escapeTemplate(text: string): string {
  return text.replace(/\$\{/g, '$${').replace(/%\{/g, '%%{');
}

/** One template part; `inQuotes` when the template is a quoted string inside an expression (text escaped). */
function partText(p: TemplatePart, inQuotes = false): string {
  if (p.kind === 'text') return inQuotes ? quoted(p.text).slice(1, -1) : escapeTemplate(p.text);
  if (p.kind === 'interpolation') return `\${${expr(p.expr)}}`;
  const parts = (list: readonly TemplatePart[]): string => list.map((q) => partText(q, inQuotes)).join('');
  const otherwise = p.else.length ? `%{ else }${parts(p.else)}` : '';
  return `%{ if ${expr(p.condition)} }${parts(p.then)}${otherwise}%{ endif }`;
}

function quoted(text: string): string {
  return escapeTemplate(JSON.stringify(text));
}

/** HCL native syntax for an expression, fully parenthesised where precedence could matter. */
function expr(e: Expr): string {
  switch (e.kind) {
    case 'literal':
      if (typeof e.value === 'string') return quoted(e.value);
      if (e.value === null) return 'null';
      if (typeof e.value === 'object') return expr(literalOf(e.value));
      return String(e.value);
    case 'template':
      return `"${e.parts.map((p) => partText(p, true)).join('')}"`;
    case 'name':
      return e.name;
    case 'getattr':
      return `${expr(e.target)}.${e.name}`;
    case 'index':
      return `${expr(e.target)}[${expr(e.key)}]`;
    case 'call':
      return `${e.name}(${e.args.map(expr).join(', ')})`;
    case 'tuple':
      return `[${e.items.map(expr).join(', ')}]`;
    case 'object':
      return `{ ${e.items.map((i) => `(${expr(i.key)}) = ${expr(i.value)}`).join(', ')} }`;
    case 'unary':
      return `${e.op}(${expr(e.operand)})`;
    case 'binary':
      return `(${expr(e.left)} ${e.op} ${expr(e.right)})`;
    case 'conditional':
      return `(${expr(e.condition)} ? ${expr(e.then)} : ${expr(e.else)})`;
    case 'for': {
      const vars = e.keyVar ? `${e.keyVar}, ${e.valueVar}` : e.valueVar;
      const body = e.result === 'object' ? `${expr(e.keyExpr!)} => ${expr(e.valueExpr)}` : expr(e.valueExpr);
      const cond = e.condition ? ` if ${expr(e.condition)}` : '';
      const [open, close] = e.result === 'object' ? ['{', '}'] : ['[', ']'];
      return `${open}for ${vars} in ${expr(e.collection)} : ${body}${cond}${close}`;
    }
  }
}

/** `T.N[k].attr...` with a literal index `k`: the address, the index and the attributes after it. */
function countedReference(e: Expr): { address: string; key: number; attrs: string[] } | undefined {
  const attrs: string[] = [];
  let node = e;
  while (node.kind === 'getattr') {
    attrs.unshift(node.name);
    node = node.target;
  }
  if (node.kind !== 'index' || node.key.kind !== 'literal' || typeof node.key.value !== 'number') return undefined;
  const chain = attrChain(node.target);
  if (!chain || chain.length !== 2 || attrs.length === 0) return undefined;
  if (['var', 'local', 'path', 'self', 'count', 'each', 'terraform', 'data'].includes(chain[0]!)) return undefined;
  return { address: `${chain[0]}.${chain[1]}`, key: node.key.value, attrs };
}
