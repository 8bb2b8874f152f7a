/** The Web API methods the emulator answers, with the OAuth scopes Slack reports for each. */
import { authTest } from './auth.js';
import { deleteMessage, getPermalink, postMessage, update } from './chat.js';
import type { MethodHandler } from './context.js';
import { history, replies } from './conversations.js';
import { addReaction } from './reactions.js';

const HISTORY_SCOPES = ['channels:history', 'groups:history', 'im:history', 'mpim:history'];

export const METHODS: Record<string, { handler: MethodHandler; scopes: string[] }> = {
  'auth.test': { handler: authTest, scopes: [] },
  'chat.postMessage': { handler: postMessage, scopes: ['chat:write'] },
  'chat.update': { handler: update, scopes: ['chat:write'] },
  'chat.delete': { handler: deleteMessage, scopes: ['chat:write'] },
  'chat.getPermalink': { handler: getPermalink, scopes: [] },
  'conversations.history': { handler: history, scopes: HISTORY_SCOPES },
  'conversations.replies': { handler: replies, scopes: HISTORY_SCOPES },
  'reactions.add': { handler: addReaction, scopes: ['reactions:write'] },
};

/** Scopes every emulated token holds (sent as X-OAuth-Scopes, which @slack/web-api surfaces). */
export const GRANTED_SCOPES = ['chat:write', 'reactions:write', ...HISTORY_SCOPES];
