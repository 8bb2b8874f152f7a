/** The Slack Web API emulator: tests, the benchmark and the embedded local Slack use it instead of Slack. */
export { SlackEmulator, startSlackEmulator } from './server.js';
export type { FaultControls, HumanMessage } from './state.js';
export { DEFAULT_RATE_LIMITS } from './rate-limit.js';
export { seededRandom } from './random.js';
export { LIMITS as SLACK_LIMITS } from './validate.js';
export type {
  CallRecord,
  CallStats,
  ChannelView,
  EditView,
  FaultSettings,
  MessageContentView,
  MessageView,
  RateLimitRule,
  RateLimitTable,
  ScriptedFault,
  SlackEmulatorOptions,
  ThreadView,
} from './types.js';
