import type { Command } from 'commander';
import path from 'node:path';
import { action, type CliContext } from '../main.js';
import { EXIT } from '../errors.js';
import { paint } from '../output.js';

export function registerSchema(program: Command, ctx: CliContext): void {
  program
    .command('schema')
    .description('Write cors-gen.schema.json (the editor schema of the spec) next to the spec, for a "$schema=./cors-gen.schema.json" line that works offline.')
    .option('-d, --dir <dir>', 'folder to write it into (the spec\'s folder)', '.')
    .action(
      action(ctx, async (flags: { dir: string }) => {
        const { writeSchemaFile } = await import('../../commands/schema.js');
        const { file, changed } = await writeSchemaFile(flags.dir);
        const shown = path.relative(process.cwd(), file) || file;
        ctx.output.err(changed ? `${paint(ctx.output, 'green', 'wrote')} ${shown}` : `${shown} is up to date`);
        ctx.output.err('Point the spec at it with this first line: # yaml-language-server: $schema=./cors-gen.schema.json');
        return EXIT.ok;
      }),
    );
}
