/**
 * Slack channel IDs (C…, G… for private, D… for DMs). Names are refused: chat.postMessage takes
 * a name, but chat.update, chat.getPermalink and conversations.history/replies accept only IDs,
 * and the thread engine needs all of them for the same channel. (Underscores are allowed so test
 * channels can read C_ALERTS.)
 */
export const CHANNEL_ID = /^[CGD][A-Z0-9_]+$/;

export const CHANNEL_ID_PROBLEM =
  'must be a Slack channel ID like C0123ABCDEF, not a name (Slack accepts names only for posting; edits and lookups need the ID: channel details → About → Channel ID)';
