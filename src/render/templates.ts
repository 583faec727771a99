import { readFileSync } from 'node:fs';
import path from 'node:path';
import Handlebars from 'handlebars';
import { PACKAGE_ROOT } from '../paths.js';
import { commentText, markdownCode, markdownText } from './escape.js';
import { PRECOMPILED } from './precompiled-templates.js';

/**
 * The typed registry of Handlebars templates in `templates/`. Templates hold no logic: each takes a view model
 * (see `views.ts`) in which every value is already prepared. `noEscape` because nothing here is HTML; `strict`
 * so a view model missing a field fails loudly instead of rendering an empty string.
 */
export const TEMPLATES = {
  initSpec: 'init/cors-gen.yaml.hbs',
  nodeIndex: 'lambda/nodejs/index.mjs.hbs',
  nodeApp: 'lambda/nodejs/app.mjs.hbs',
  pythonHandler: 'lambda/python/handler.py.hbs',
  pythonApp: 'lambda/python/app.py.hbs',
  moduleReadme: 'module/README.md.hbs',
} as const;

export type TemplateName = keyof typeof TEMPLATES;

/** How every template is compiled, at build time (`scripts/build.mjs`) or on first use (from source). */
export const COMPILE_OPTIONS = { noEscape: true, strict: true } as const;

const handlebars = Handlebars.create();

/**
 * The escapes, one per kind of place in a template, registered once: a template names where a value goes
 * (`{{comment specFile}}`, `{{code name}}`, `{{cell headers}}`, `{{text description}}`) and the helper makes it
 * literal there (see `escape.ts`). A list renders as its items, comma-separated.
 */
const each = (fn: (s: string) => string) => (value: unknown) =>
  Array.isArray(value) ? value.map((v) => fn(String(v))).join(', ') : fn(String(value));
handlebars.registerHelper({
  comment: each(commentText),
  code: each((s) => markdownCode(s)),
  cell: each((s) => markdownCode(s, true)),
  text: each(markdownText),
});
const compiled = new Map<TemplateName, Handlebars.TemplateDelegate>();

export const TEMPLATES_DIR = path.join(PACKAGE_ROOT, 'templates');

export function render(name: TemplateName, view: object): string {
  let template = compiled.get(name);
  if (!template) {
    const spec = PRECOMPILED?.[TEMPLATES[name]];
    template = spec
      ? handlebars.template(spec)
      : handlebars.compile(readFileSync(path.join(TEMPLATES_DIR, TEMPLATES[name]), 'utf8'), COMPILE_OPTIONS);
    compiled.set(name, template);
  }
  return template(view);
}
