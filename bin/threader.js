#!/usr/bin/env node
// Thin launcher: the CLI is compiled to dist/ by `npm run build`.
import { ignoreEpipe, main } from '../dist/cli/main.js';

ignoreEpipe();
main(process.argv.slice(2)).then(
  (code) => {
    if (typeof code === 'number') process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`threader: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 2;
  },
);
