import { z } from 'zod';

// The pattern lives apart from zod: the CLI checks channel IDs while it parses argv (startup
// loads commander only).
import { CHANNEL_ID, CHANNEL_ID_PROBLEM } from './channel-id.js';

export { CHANNEL_ID, CHANNEL_ID_PROBLEM };

export const channelId = () => z.string().regex(CHANNEL_ID, CHANNEL_ID_PROBLEM);
