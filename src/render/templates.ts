import { readFileSync } from 'node:fs';
import path from 'node:path';
import Handlebars from 'handlebars';
import { PACKAGE_ROOT } from '../paths.js';

/**
 * The typed registry of Handlebars templates in `templates/`. Templates hold no logic: each takes a view model
 * (see `views.ts`) in which every value is already prepared. `noEscape` because nothing here is HTML; `strict`
 * so a view model missing a field fails loudly instead of rendering an empty string.
 */
export const TEMPLATES = {
  initSpec: 'init/cors-gen.yaml.hbs',
  nodeIndex: 'lambda/nodejs/index.mjs.hbs',
  nodeCors: 'lambda/nodejs/cors.mjs.hbs',
  nodeApp: 'lambda/nodejs/app.mjs.hbs',
  pythonHandler: 'lambda/python/handler.py.hbs',
  pythonCors: 'lambda/python/cors.py.hbs',
  pythonApp: 'lambda/python/app.py.hbs',
  moduleReadme: 'module/README.md.hbs',
} as const;

export type TemplateName = keyof typeof TEMPLATES;

const handlebars = Handlebars.create();
const compiled = new Map<TemplateName, Handlebars.TemplateDelegate>();

export const TEMPLATES_DIR = path.join(PACKAGE_ROOT, 'templates');

export function render(name: TemplateName, view: object): string {
  let template = compiled.get(name);
  if (!template) {
    const source = readFileSync(path.join(TEMPLATES_DIR, TEMPLATES[name]), 'utf8');
    template = handlebars.compile(source, { noEscape: true, strict: true });
    compiled.set(name, template);
  }
  return template(view);
}
