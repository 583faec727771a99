import type { Command } from 'commander';
import path from 'node:path';
import { action, type CliContext } from '../context.js';
import { ExternalError } from '../../errors.js';
import { paint } from '../output.js';

export function registerSchema(program: Command, ctx: CliContext): void {
  program
    .command('schema')
    .description(
      'Write cors-gen.schema.json (the editor schema of the spec) next to the spec, for a "$schema=./cors-gen.schema.json" line that works offline.',
    )
    .option('-d, --dir <dir>', "folder to write it into (the spec's folder)", '.')
    .action(
      action(ctx, async (flags: { dir: string }) => {
        const { writeSchemaFile, SCHEMA_FILE_NAME } = await import('../../spec/schema-file.js');
        let written: { file: string; changed: boolean };
        try {
          written = await writeSchemaFile(flags.dir);
        } catch (e) {
          const code = (e as NodeJS.ErrnoException).code;
          if (!code) throw e;
          throw new ExternalError(`${flags.dir}: cannot write ${SCHEMA_FILE_NAME} there (${code})`, {
            code: 'unwritable',
            fix: 'pass --dir with a folder you can write to',
          });
        }
        const { file, changed } = written;
        const shown = path.relative(process.cwd(), file) || file;
        ctx.output.err(changed ? `${paint(ctx.output, 'green', 'wrote')} ${shown}` : `${shown} is up to date`);
        ctx.output.err(
          'Point the spec at it with this first line: # yaml-language-server: $schema=./cors-gen.schema.json',
        );
        return 'ok';
      }),
    );
}
