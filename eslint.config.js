// ESLint flat config (`npm run lint`; .ci/run runs it before the tests). Type-aware: typescript-eslint reads
// tsconfig.json through the project service. Import cycles are not linted here: test/unit/importGraph.test.ts already
// fails on any new cycle (and on upward imports between layers), without a resolver plugin on every lint run.
import { builtinModules } from 'node:module';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';

/** Node built-ins, bare (`fs`, `fs/promises`) and prefixed (`node:*`), for workflows/ (they run in Temporal's sandbox). */
const NODE_BUILTINS = builtinModules.filter((name) => !name.startsWith('_'));

export default defineConfig(
  {
    ignores: ['dist/**', 'test-output/**', 'node_modules/**', '.gauntlet/**', '.cache/**', 'charts/**', 'trainer/**'],
  },
  {
    files: ['**/*.ts'],
    languageOptions: {
      parser: tseslint.parser,
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { '@typescript-eslint': tseslint.plugin },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // node:test awaits its own describe/test/it calls (and their hooks): those are not fire-and-forget.
      '@typescript-eslint/no-floating-promises': [
        'error',
        { allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['describe', 'suite', 'test', 'it', 'before', 'after', 'beforeEach', 'afterEach'] }] },
      ],
      '@typescript-eslint/consistent-type-imports': ['error', { prefer: 'type-imports', fixStyle: 'inline-type-imports' }],
    },
  },
  {
    // TODO(lint): activities/executor/kubernetes/ is mid-change (@kubernetes/client-node 2.x); jobWatcher.ts imports
    // KubeConfig as a value but uses it only as a type. Make it `type KubeConfig` and drop this block once that lands.
    files: ['activities/executor/kubernetes/**/*.ts'],
    rules: { '@typescript-eslint/consistent-type-imports': 'off' },
  },
  {
    // Workflow code is replayed: it must be deterministic and run in Temporal's sandbox (README, "Changing workflow code").
    files: ['workflows/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: NODE_BUILTINS.map((name) => ({ name, message: 'workflows/ run in the Temporal sandbox: no Node built-ins (do it in an activity).' })),
          patterns: [{ group: ['node:*'], message: 'workflows/ run in the Temporal sandbox: no Node built-ins (do it in an activity).' }],
        },
      ],
      'no-restricted-syntax': [
        'error',
        {
          selector: "ThrowStatement > NewExpression[callee.name='Error']",
          message: 'Throw ApplicationFailure (from @temporalio/workflow): a plain Error fails the workflow task, which Temporal retries, instead of failing the run.',
        },
      ],
      'no-restricted-properties': [
        'error',
        { object: 'Date', property: 'now', message: 'Use `new Date()` (Temporal pins it to the workflow task time): same value, plainly deterministic to a reader.' },
        { object: 'Math', property: 'random', message: 'Use a seeded generator or uuid4() from @temporalio/workflow.' },
        { object: 'globalThis', property: 'setTimeout', message: 'Use sleep() or condition() from @temporalio/workflow.' },
      ],
      'no-restricted-globals': [
        'error',
        { name: 'setTimeout', message: 'Use sleep() or condition() from @temporalio/workflow: timers must be durable.' },
        { name: 'setInterval', message: 'Use a loop around sleep() from @temporalio/workflow: timers must be durable.' },
      ],
    },
  },
);
