// ESLint: the recommended rules of ESLint and typescript-eslint, for the TypeScript and the JavaScript
// of this repository. Formatting is prettier's (npm run lint runs both).
import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default defineConfig([
  // Generated or vendored, as in .prettierignore; examples/cdk8s-app is the cdk8s template but for its main.ts.
  globalIgnores(['dist/', 'lib/', 'build/', 'coverage/', '.cdk8s.out/', '.example-test-*/', 'test/schemas/', 'schema/', 'examples/cdk8s-app/*', '!examples/cdk8s-app/main.ts']),
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    languageOptions: { globals: globals.node },
    rules: {
      // tsc's noUnusedLocals/noUnusedParameters convention: a leading underscore marks a name unused on purpose
      // (a rest destructuring that drops a key, a type parameter only a conditional type reads).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
      // Matching control characters is this project's job, not an accident: libyaml refuses them, report lines
      // must stay one line, and the tests build and escape them on purpose (every such regex says why).
      'no-control-regex': 'off',
    },
  },
  {
    // Tests index parsed YAML and JSON documents of any shape (rendered objects, schemas, Psych's readings);
    // `unknown` there would need a cast per access and catch nothing the assertions do not. Source code keeps the rule.
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    // jest.config.js, the test set-up and reporter, and the bench's RSS helper are CommonJS.
    files: ['**/*.js', '**/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['test/needs-setup.js'],
    languageOptions: { globals: globals.jest },
  },
]);
