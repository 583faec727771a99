import type Handlebars from 'handlebars';

/**
 * The templates precompiled by `scripts/build.mjs`, which replaces this module in the bundle (so the published CLI
 * neither reads nor compiles templates at run time, and loads only the Handlebars runtime). From source (tests)
 * it is undefined and `render` compiles each template from `templates/` on first use. Keyed by the template's path
 * relative to `templates/` (`lambda/nodejs/index.mjs.hbs`).
 */
export const PRECOMPILED: Readonly<Record<string, Parameters<typeof Handlebars.template>[0]>> | undefined = undefined;
