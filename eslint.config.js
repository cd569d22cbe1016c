// ESLint flat config: typescript-eslint's recommended rules (syntax only, no type information, so
// linting the whole tree takes seconds), tuned where the code base differs on purpose. `npm test` runs
// it before the tests (scripts/run-tests.mjs); `npm run lint` runs it alone. See docs/dev/tooling.md.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

export default tseslint.config(
  { ignores: ['dist/', 'build/', 'node_modules/', 'native/', '**/*.d.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2022, sourceType: 'module', globals: { ...globals.node } },
    rules: {
      // Friendly errors replace a library's raw one on purpose (naming the file or parameter); the raw
      // message is kept in the text, and a `cause` chain would only repeat it.
      'preserve-caught-error': 'off',
      // `_name` marks a parameter or destructured value that is deliberately unused.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
  {
    // Tests and benchmarks read JSON back (reports, bench output) and index it freely.
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    // The monitor's page and its audio worklet run in the browser.
    files: ['web/**/*.js'],
    languageOptions: { globals: { ...globals.browser, ...globals.audioWorklet } },
  },
);
