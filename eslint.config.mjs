// @ts-check
import tseslint from 'typescript-eslint';
import promise from 'eslint-plugin-promise';

export default tseslint.config(
  {
    ignores: ['dist/**', 'node_modules/**', 'data/**', 'reports/**', '.stryker-tmp/**', 'eslint.config.mjs'],
  },
  ...tseslint.configs.recommendedTypeChecked,
  promise.configs['flat/recommended'],
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/consistent-type-definitions': ['error', 'type'],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  ...insideEsl(),
  ...outsideEsl(),
  {
    files: ['src/http/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/esl/**', '**/store/**', 'better-sqlite3', 'modesl'],
              message: 'the HTTP layer talks to services only',
            },
          ],
        },
      ],
    },
  },
  {
    // The widget is a browser script served as it is (widget/click-to-call.js): no types, browser globals.
    files: ['widget/**/*.js'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      ...tseslint.configs.disableTypeChecked.languageOptions,
      sourceType: 'script',
      globals: Object.fromEntries(
        [
          ...['document', 'location', 'customElements', 'HTMLElement', 'URL', 'fetch', 'EventSource'],
          ...['setTimeout', 'clearTimeout'],
        ].map((name) => [name, 'readonly']),
      ),
    },
    rules: { ...tseslint.configs.disableTypeChecked.rules, 'no-undef': 'error' },
  },
  {
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-expressions': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      'no-restricted-syntax': [
        'error',
        { selector: "CallExpression[callee.property.name='only']", message: 'no .only in tests' },
      ],
    },
  },
);

/**
 * esl/ could be published alone: it imports node:* built-ins and its own files only (no package, nothing
 * above esl/; written per folder depth, as a relative path's reach depends on it).
 */
function insideEsl() {
  const configs = [];
  for (let depth = 1; depth <= 4; depth++) {
    configs.push({
      files: [`esl/${'*/'.repeat(depth - 1)}*.ts`],
      rules: {
        'no-restricted-imports': [
          'error',
          {
            patterns: [
              { regex: '^(?!node:|\\.)', message: 'esl/ imports node:* built-ins and its own files only' },
              { regex: `^(\\.\\./){${depth}}`, message: 'esl/ imports nothing outside esl/' },
            ],
          },
        ],
      },
    });
  }
  return configs;
}

/**
 * Outside esl/, the ESL layer is reached through its barrel (esl/index.ts) only. The ban is written per
 * folder depth so that it names the top-level esl/ exactly (test/esl/ is another folder); the fake switch
 * also knows nothing of the service. src/http/ has a stricter rule of its own, below.
 */
function outsideEsl() {
  const FAKE_SWITCH_ONLY = {
    group: ['**/src/**', 'express', 'better-sqlite3', 'winston'],
    message: 'the fake switch is a stand-in for FreeSWITCH: it knows nothing of the service',
  };
  // The services speak to the store's ports; the composition root alone picks the adapter.
  const STORE_ADAPTER = {
    group: ['**/store/sqlite/**', '**/store/pg/**', 'better-sqlite3', 'pg'],
    message: 'services speak to the store ports (src/store/ports.ts); only src/runtime.ts picks an adapter',
  };
  // The adapters, the copy between them, PostgreSQL's tracking leases, and the root.
  const OWN_BY_DEPTH = {
    1: ['src/runtime.ts'],
    2: ['src/store/copy.ts', 'src/switches/pg-leases.ts'],
    3: ['src/store/sqlite/*.ts', 'src/store/pg/*.ts'],
  };
  const ADAPTER_AND_ROOT = Object.values(OWN_BY_DEPTH).flat();
  const configs = [];
  for (const root of ['src', 'test', 'bench', 'fake-switch']) {
    for (let depth = 1; depth <= 6; depth++) {
      const deep = {
        regex: `^(\\.\\./){${depth}}esl/(?!index$)`,
        message: 'import the ESL layer through its barrel (esl/index.ts), not its files',
      };
      const files = [`${root}/${'*/'.repeat(depth - 1)}*.ts`];
      const rule = (patterns) => ({ 'no-restricted-imports': ['error', { patterns }] });
      if (root === 'src') {
        configs.push({ files, ignores: ADAPTER_AND_ROOT, rules: rule([deep, STORE_ADAPTER]) });
        // The adapter and the root themselves: the barrel rule only (at their own depth).
        const own = OWN_BY_DEPTH[depth];
        if (own) configs.push({ files: own, rules: rule([deep]) });
      } else {
        configs.push({ files, rules: rule(root === 'fake-switch' ? [deep, FAKE_SWITCH_ONLY] : [deep]) });
      }
    }
  }
  return configs;
}
