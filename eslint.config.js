import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import security from 'eslint-plugin-security';

/**
 * Security rules (eslint-plugin-security) are errors, so `npm run lint` and `npm run security` fail on
 * them. Two of its rules are scoped rather than on everywhere, and each exception below is one file
 * whose finding was read and judged; a new file gets every rule.
 */
const securityRules = Object.fromEntries(
  Object.keys(security.configs.recommended.rules).map((rule) => [rule, 'error']),
);

/** Files where safe-regex's star-height heuristic flags a pattern that was checked to be linear. */
const linearRegexFiles = {
  // `^\d+(\.\d+)?$`, `^(\d{1,3})(?:-(\d{1,3}))?$`, `(\d+(?:\.\d+)?)(ms|s|m|h|d)` (sticky): anchored
  // number shapes whose optional groups start with a literal the digits before cannot match.
  'src/cli/guard.ts': 'number literal',
  'src/cli/retry.ts': 'exit-code range',
  'src/config/duration.ts': 'duration parts',
  'src/deploy/spec-schema.ts': 'percentage',
  'src/emulator/ts-clock.ts': 'Slack ts, bounded {1,12}.{1,6}',
  // RFC 3339 with fixed-width fields; the only repetition is a bounded fraction \d{1,9}.
  'src/core/parse.ts': 'RFC 3339 timestamp',
  // A deploy id with an optional step index: one bounded character class, an optional bounded suffix.
  'src/actions/button-ids.ts': 'deploy button value',
  // Splits DeployAbortedError's own message ("aborted by WHO: WHY") — one lazy group and one
  // optional tail: at worst quadratic in a message of a few hundred characters, built by us.
  'src/notify/narration.ts': 'abort message',
  // Reads back the upstream file on this host (rendered by this project), one line at a time; never remote input.
  'src/traffic/nginx-render.ts': 'our own nginx server line',
};

/**
 * Regexes built at run time from the OPERATOR's config (threader.yaml routes, deploy analysis
 * matchers: PromQL `=~` semantics), validated when the config loads — never from a request body.
 */
const configRegexFiles = ['src/pipeline/route.ts', 'src/metrics/counter-window.ts'];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'bench/results/**', 'test-results/**', 'data/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-eval': 'error',
      'no-implied-eval': 'error',
      'no-new-func': 'error',
    },
  },
  {
    plugins: { security },
    rules: {
      ...securityRules,
      // Flags every computed member access (`obj[key]`: ~190 here, each a typed lookup in a Record or
      // array). The prototype-pollution risk it aims at is closed where input enters: strict zod
      // schemas for config and request bodies, and Maps for keyed state.
      'security/detect-object-injection': 'off',
      // A CLI opens the paths its operator gives it (config, lock file, state DB); the rule is on
      // where a path could come from the network instead (below).
      'security/detect-non-literal-fs-filename': 'off',
    },
  },
  {
    // Code that answers HTTP requests: a file name built from request input would be a traversal.
    files: ['src/http/**/*.ts', 'src/actions/**/*.ts', 'src/dashboard/**/*.ts', 'src/emulator/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: { 'security/detect-non-literal-fs-filename': 'error' },
  },
  {
    // Stats the state file named by the config at start-up, never a path from a request.
    files: ['src/dashboard/change-feed.ts'],
    rules: { 'security/detect-non-literal-fs-filename': 'off' },
  },
  {
    files: Object.keys(linearRegexFiles),
    rules: { 'security/detect-unsafe-regex': 'off' },
  },
  {
    files: configRegexFiles,
    rules: { 'security/detect-non-literal-regexp': 'off' },
  },
  {
    // The emulator copies a bearer token into its parsed request (`token !== undefined`): a presence
    // check, not a comparison with a secret; the real secret comparison (signature.ts) is constant-time.
    files: ['src/emulator/body.ts'],
    rules: { 'security/detect-possible-timing-attacks': 'off' },
  },
  {
    // Tests and benchmarks match the project's own output with expected patterns; no untrusted input
    // reaches them, so a slow regex is a slow test, not a denial of service.
    files: ['**/*.test.ts', 'test/**', 'bench/**'],
    rules: { 'security/detect-unsafe-regex': 'off', 'security/detect-non-literal-regexp': 'off' },
  },
  {
    files: ['bin/**/*.js', 'bench/**/*.js', 'test/fixtures/**/*.{js,mjs}', 'scripts/**/*.{js,mjs}'],
    languageOptions: {
      globals: { process: 'readonly', console: 'readonly', setTimeout: 'readonly', URL: 'readonly' },
    },
  },
);
