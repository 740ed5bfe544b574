// Strict lint for peer-comms. The workflow folder may only import deterministic code:
// no Node builtins, no ssh2, and activities only as types (the bundler would pull them in).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { importX } from 'eslint-plugin-import-x';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'test/fixtures/**', '**/*.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    plugins: { 'import-x': importX },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'import-x/no-cycle': 'error',
    },
  },
  {
    // Signals, queries and updates are addressed through src/workflows/definitions.ts, never by a
    // string name (a typo or a renamed handler would fail only at run time).
    files: ['src/**/*.ts', 'test/**/*.ts', 'bench/**/*.ts', 'scripts/**/*.ts'],
    ignores: ['src/workflows/definitions.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector:
            'CallExpression[callee.property.name=/^(signal|query|executeUpdate|startUpdate|executeUpdateWithStart|startUpdateWithStart|signalWithStart)$/][arguments.0.type=/^(Literal|TemplateLiteral)$/]',
          message:
            'Address signals, queries, updates (and signal-with-start workflows) by their definitions (src/workflows/definitions.ts, the workflow function), not by a string name.',
        },
        {
          selector:
            'CallExpression[callee.property.name=/^(signalWithStart|startUpdateWithStart|executeUpdateWithStart)$/] Property[key.name=/^(signal|updateName)$/] > Literal.value',
          message: 'Name the signal by its definition (src/workflows/definitions.ts), not by a string.',
        },
      ],
    },
  },
  {
    files: ['src/workflows/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['node:*'], message: 'Workflows are deterministic: no Node builtins.' },
            { group: ['ssh2', 'fs', 'path', 'os', 'child_process', 'crypto'], message: 'Workflows are deterministic.' },
            {
              group: ['**/activities', '**/activities/*'],
              allowTypeImports: true,
              message: 'Import activities as types only and proxy them.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      // node:test's describe/it return promises the runner itself awaits.
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          allowForKnownSafeCalls: [
            { from: 'package', package: 'node:test', name: ['describe', 'it', 'test', 'suite', 'before', 'after'] },
          ],
        },
      ],
      '@typescript-eslint/require-await': 'off',
    },
  },
);
