// ESLint flat config. Syntax-only rules (no type information) so `npm run lint` stays fast on two cores;
// `tsc --noEmit` already does the type checking. Formatting belongs to Prettier (`.prettierrc.json`), which is
// why eslint-config-prettier comes last and switches off every stylistic rule that would fight it.
import { createNodeResolver } from 'eslint-plugin-import-x';
import importX from 'eslint-plugin-import-x';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: ['generated/', 'dist/', 'coverage/', 'node_modules/', 'bench/cdktf-cli/', '**/*.d.mts'],
  },
  tseslint.configs.recommended,
  {
    files: ['**/*.{ts,mts,js,mjs}'],
    plugins: { 'import-x': importX },
    languageOptions: {
      ecmaVersion: 2023,
      sourceType: 'module',
    },
    settings: {
      // Without these, import-x parses only `.js` files and so never follows an import into TypeScript.
      'import-x/extensions': ['.ts', '.mts', '.js', '.mjs'],
      'import-x/external-module-folders': ['node_modules', 'node_modules/@types'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts', '.mts'] },
      // The sources import `./x.js` and mean `./x.ts` (TypeScript's NodeNext resolution).
      'import-x/resolver-next': [
        createNodeResolver({
          extensions: ['.ts', '.mts', '.js', '.mjs', '.json'],
          extensionAlias: { '.js': ['.ts', '.js'], '.mjs': ['.mts', '.mjs'] },
        }),
      ],
    },
    rules: {
      'import-x/no-cycle': 'error',
      // Packages (node: and npm) first, then the project's own modules; no blank-line or alphabetical rules, so
      // the order inside each group stays the author's (usually the data flow).
      'import-x/order': [
        'error',
        {
          groups: [
            ['builtin', 'external'],
            ['internal', 'parent', 'sibling', 'index'],
          ],
        },
      ],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // The benchmark's baseline is the CommonJS that `tsc` makes of a CDKTF app (see its package.json).
    files: ['bench/baseline/**'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // Tests read JSON documents (Lambda events, synthesized Terraform) whose shape the assertions check.
    files: ['test/**'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    // Library code reports through return values and the CLI prints them.
    files: ['src/**'],
    rules: { 'no-console': 'error' },
  },
  {
    // The places whose job is to print: the CLI's output module, the preview server's log, the CDKTF app entry
    // point, the schema writer script, and the code that runs inside Lambda (CloudWatch logs come from stdout).
    files: [
      'src/cli/output.ts',
      'src/preview/index.ts',
      'src/cdktf-app.ts',
      'src/spec/write-json-schema.ts',
      'src/runtime/**',
    ],
    rules: { 'no-console': 'off' },
  },
  prettier,
  {
    // eslint-config-prettier switches max-len off; it is a special rule that may be switched back on after it.
    files: ['**/*.{ts,mts,js,mjs}'],
    rules: {
      // Prettier wraps at 120; what it cannot break (long strings, URLs, regexes, template literals) may stay.
      'max-len': [
        'error',
        {
          code: 150,
          ignoreUrls: true,
          ignoreStrings: true,
          ignoreTemplateLiterals: true,
          ignoreRegExpLiterals: true,
          ignoreComments: false,
        },
      ],
    },
  },
);
