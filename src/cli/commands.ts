import type { Command } from 'commander';
import { register as checkConfig } from './check-config.js';
import { register as retry } from './retry.js';
import { register as guard } from './guard.js';
import { register as serve } from './serve.js';
import { register as slackEmulator } from './slack-emulator.js';
import { register as plan } from './plan.js';
import { register as deploy } from './deploy.js';
import { register as deployControl } from './deploy-control.js';
import { register as deployStatus } from './deploy-status.js';
import { register as slack } from './slack.js';

/** Every CLI command, listed here (composition, not discovery). One file per command. */
export const commands: Array<(program: Command) => void> = [
  serve,
  checkConfig,
  retry,
  guard,
  slackEmulator,
  plan,
  deploy,
  deployControl,
  deployStatus,
  slack,
];
