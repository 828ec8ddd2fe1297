// @ts-check
/**
 * The layers of Sherpa and what each may import (issue 11, item 5; docs/architecture.md explains them).
 * eslint-plugin-boundaries classifies every file of src/, handlers/ and jobs/ into one layer and reports an
 * import the layer's policy does not allow; `no-restricted-imports` keeps the Slack packages in the Slack adapter
 * and the listeners. eslint.config.js applies both; test/lint/layers.test.ts proves each rule fires.
 */

/** One layer a path; the first descriptor that matches wins, so single files come before their folders. */
export const LAYER_ELEMENTS = [
  // The error taxonomy: below everything, imports nothing of the project.
  { type: 'errors', pattern: 'src/errors.ts', mode: 'file' },
  { type: 'domain', pattern: 'src/domain', partialMatch: false },
  { type: 'ports', pattern: 'src/ports', partialMatch: false },
  // Pure message builders (issue 11, item 2): what users see, from domain values only.
  { type: 'messages', pattern: 'src/messages', partialMatch: false },
  // What every layer above the ports may use: logging, the HTTP client, configuration, the one queue consumer
  // (and the keyed-queue decorator), where the checkout is.
  { type: 'support', pattern: 'src/project-root.ts', mode: 'file' },
  { type: 'support', pattern: 'src/node-support.ts', mode: 'file' },
  { type: 'support', pattern: 'src/event-loop-slices.ts', mode: 'file' },
  { type: 'support', pattern: 'src/worker-threads.ts', mode: 'file' },
  { type: 'support', pattern: ['src/logging', 'src/http', 'src/config', 'src/queue'], partialMatch: false },
  // The bot's side of trainium-runner/: the bundle it ships and the files the runner writes. Both the compute
  // adapters and the run stage use it.
  { type: 'runner', pattern: 'src/runner', partialMatch: false },
  // Helpers shared by the AWS adapters.
  { type: 'adapter-support', pattern: 'src/adapters/aws-errors.ts', mode: 'file' },
  // One element per external service, so one adapter does not reach into another.
  { type: 'adapter', pattern: 'src/adapters/*', capture: ['adapter'], partialMatch: false },
  // CoreDeps: the bag of ports the composition root hands to handlers, jobs and stages.
  { type: 'deps', pattern: 'src/deps.ts', mode: 'file' },
  // The pipeline stages.
  {
    type: 'stage',
    pattern: [
      'src/ingest',
      'src/judge',
      'src/threads',
      'src/codegen',
      'src/approvals',
      'src/runs',
      'src/digest',
      'src/home',
      'src/papers',
      'src/commands',
      'src/plots',
      'src/evolve',
    ],
    partialMatch: false,
  },
  { type: 'handlers', pattern: 'handlers', partialMatch: false },
  { type: 'jobs', pattern: 'jobs', partialMatch: false },
  // Programs of their own beside the bot (`npm run doctor`, `npm run migrate:aws`): they build and probe the
  // adapters directly, as a composition root does.
  { type: 'tools', pattern: ['src/doctor', 'src/migration'], partialMatch: false },
  // The composition roots: the only places that construct adapters.
  { type: 'compose', pattern: ['src/compose', 'src/cli'], partialMatch: false },
  { type: 'compose', pattern: ['src/compose.ts', 'src/boot.ts', 'src/main.ts'], mode: 'file' },
];

const to = (...types) => ({ to: { element: { type: types } } });

/** What each layer may import, besides its own files. Everything else is reported. */
export const LAYER_POLICIES = [
  // errors imports nothing of the project (no policy).
  { from: { element: { type: 'domain' } }, allow: to('errors') },
  { from: { element: { type: 'ports' } }, allow: to('domain', 'errors') },
  { from: { element: { type: 'messages' } }, allow: to('domain', 'errors') },
  { from: { element: { type: 'support' } }, allow: to('support', 'ports', 'domain', 'errors') },
  { from: { element: { type: 'runner' } }, allow: to('support', 'ports', 'domain', 'errors') },
  { from: { element: { type: 'adapter-support' } }, allow: to('support', 'ports', 'domain', 'errors') },
  {
    from: { element: { type: 'adapter' } },
    allow: to('adapter-support', 'runner', 'support', 'ports', 'domain', 'errors'),
  },
  { from: { element: { type: 'deps' } }, allow: to('support', 'ports', 'domain', 'errors') },
  // A stage may call another stage (papers/run-paper drives judge → thread → codegen), but never an adapter.
  {
    from: { element: { type: 'stage' } },
    allow: to('stage', 'messages', 'deps', 'runner', 'support', 'ports', 'domain', 'errors'),
  },
  {
    from: { element: { type: 'handlers' } },
    allow: to('stage', 'messages', 'deps', 'support', 'ports', 'domain', 'errors'),
  },
  {
    from: { element: { type: 'jobs' } },
    allow: to('stage', 'messages', 'deps', 'support', 'ports', 'domain', 'errors'),
  },
  {
    from: { element: { type: 'tools' } },
    allow: to(
      'tools',
      'adapter',
      'adapter-support',
      'runner',
      'deps',
      'support',
      'ports',
      'domain',
      'errors',
    ),
  },
  { from: { element: { type: 'compose' } }, allow: { to: { element: { type: '*' } } } },
];

const layerRule = (policies) => ['error', { default: 'disallow', policies }];

const SLACK_PACKAGES = {
  group: ['@slack/*'],
  message:
    'Only src/adapters/slack/ and handlers/ import a Slack package; use the Chat port (docs/architecture.md).',
};

/** The SDKs of the services behind the ports (design principle: only adapters import an SDK). */
const SERVICE_SDKS = {
  group: ['@aws-sdk/*', '@smithy/*', '@opensearch-project/*', 'better-sqlite3'],
  message: 'Only an adapter in src/adapters/<service>/ imports a service SDK; reach it through its port.',
};

/** Where each package group may be imported, besides the adapters. */
const SLACK_ALLOWED = ['src/adapters/slack/**', 'handlers/**'];
const SDK_ALLOWED = ['src/adapters/**', 'src/doctor/**', 'src/migration/**'];
const restrict = (...groups) => ['error', { patterns: groups }];

/**
 * The flat-config blocks that enforce the layers; `plugins` is `{ boundaries }`. Tests pass the same blocks to
 * ESLint's Node API, so what they prove is what CI runs.
 */
export function layerConfigs(plugins) {
  return [
    {
      files: ['src/**/*.ts', 'handlers/**/*.ts', 'jobs/**/*.ts'],
      plugins,
      settings: {
        'boundaries/elements': LAYER_ELEMENTS,
        'boundaries/include': ['src/**', 'handlers/**', 'jobs/**'],
        // `mode: 'file'` (a single file as a layer of its own: src/errors.ts, src/deps.ts, …) is deprecated in v7,
        // which prints a warning on every run; it still works, and the caret range keeps v7. Revisit on v8.
        'boundaries/legacy-warnings': false,
        // Imports name the compiled `.js`; the TypeScript resolver finds the `.ts` beside it.
        'import/resolver': { typescript: { project: './tsconfig.json' } },
      },
      rules: {
        'boundaries/dependencies': layerRule(LAYER_POLICIES),
        // A new folder must be given a layer above before its files pass lint.
        'boundaries/no-unknown-files': 'error',
        'no-restricted-imports': restrict(SLACK_PACKAGES, SERVICE_SDKS),
      },
    },
    // The last block that matches a file decides which packages it may not import.
    { files: SLACK_ALLOWED, rules: { 'no-restricted-imports': restrict(SERVICE_SDKS) } },
    { files: SDK_ALLOWED, rules: { 'no-restricted-imports': restrict(SLACK_PACKAGES) } },
    // The Slack adapter is also under src/adapters/**: it may import both groups.
    { files: ['src/adapters/slack/**'], rules: { 'no-restricted-imports': 'off' } },
  ];
}
