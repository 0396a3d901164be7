// Lint configuration. Prettier owns the layout (see .prettierrc.json); ESLint checks what a formatter cannot:
// promises that nobody awaits, import order, lines that stay too long after formatting.
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import { importX } from 'eslint-plugin-import-x';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/** Longest line allowed; Prettier's printWidth is the same. */
const MAX_LEN = 140;

export default tseslint.config(
  {
    // Generated code (cdk8s import output, ajv's standalone validators), synthesized YAML, and what git ignores.
    ignores: ['imports/**', 'lib/private/crd-validators/**', 'dist/**', 'build/**', 'coverage/**', '**/.cache/**', 'tmp/**'],
  },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    rules: {
      // Parsed YAML and JSON documents are typed `any` on purpose in tests and a few readers; tsc's strict mode is the gate.
      '@typescript-eslint/no-explicit-any': 'off',
      // A props interface that only extends another is the cdk8s convention (`FooProps extends BaseProps {}`).
      '@typescript-eslint/no-empty-object-type': ['error', { allowInterfaces: 'with-single-extends' }],
      // A leading underscore marks a binding kept for its shape: `const { dropped: _d, ...rest } = x`.
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
    },
  },
  {
    // Type-aware rules everywhere: the .ts files through tsconfig.json, the few plain scripts through a default project.
    files: ['**/*.ts', '**/*.js', '**/*.mjs'],
    languageOptions: {
      parserOptions: {
        projectService: {
          allowDefaultProject: ['*.js', '*.mjs', 'scripts/*.js', 'scripts/*.mjs', 'test/support/*.js', 'test/support/*.mjs'],
          maximumDefaultProjectFileMatchCount_THIS_WILL_SLOW_DOWN_LINTING: 16,
        },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
    },
  },
  {
    // Tests load modules inside a test on purpose: lazily, by name for evaluated docs, or fresh per case.
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: { globals: { ...globals.node } },
  },
  {
    files: ['**/*.js'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    plugins: { 'import-x': importX },
    rules: {
      'import-x/order': [
        'error',
        {
          groups: ['builtin', 'external', ['parent', 'sibling', 'index']],
          'newlines-between': 'never',
          alphabetize: { order: 'asc', caseInsensitive: true },
        },
      ],
    },
  },
  prettier,
  {
    // After eslint-config-prettier, which turns max-len off: Prettier wraps code, but leaves long strings and comments.
    rules: {
      'max-len': [
        'error',
        {
          code: MAX_LEN,
          ignoreUrls: true,
          ignoreStrings: true,
          ignoreTemplateLiterals: true,
          ignoreRegExpLiterals: true,
        },
      ],
    },
  },
);
