import type { NoteState } from '../store/types.js';
import { codeBlock } from './render/code-block.js';
import { escapeText, link } from './render/escape.js';
import { fitMessage } from './render/limits.js';
import type { ThreadRenderer } from './thread-engine.js';
import type { Block } from './types.js';

/** A reply in a note thread (CI stage results, guard briefings). Every field is user text. */
export interface NoteReply {
  text: string;
  /** Shown as a code block, e.g. a ready-to-run rollback command. */
  code?: string;
  links?: Array<{ name: string; url: string }>;
  /** Also show the reply in the channel (Slack's reply_broadcast), for failures. */
  broadcast?: boolean;
  /** Not shown: what makes a re-run of the same CI step the same reply (SlackSession.replyOnce). */
  key?: string;
}

/**
 * Note threads: threads we reply into for someone else. Text arrives as plain text and is escaped
 * here, so a stage name or a metric label can never mention anyone.
 */
export const noteRenderer: ThreadRenderer<NoteState> = {
  parent: (thread) => {
    const title = escapeText(thread.state.title);
    const blocks: Block[] = [{ type: 'section', text: { type: 'mrkdwn', text: title, verbatim: true } }];
    // `threader slack notify --link`: a parent that is a whole message keeps its links in the state.
    const links = (thread.state as NoteState & { links?: NoteReply['links'] }).links;
    if (links?.length) blocks.push(linksBlock(links));
    return fitMessage({ text: title, blocks });
  },
  reply: (_thread, payload) => {
    const reply = payload as NoteReply;
    const text = escapeText(reply.text);
    const blocks: Block[] = [{ type: 'section', text: { type: 'mrkdwn', text, verbatim: true } }];
    if (reply.code)
      blocks.push({ type: 'section', text: { type: 'mrkdwn', text: codeBlock(reply.code), verbatim: true } });
    if (reply.links?.length) blocks.push(linksBlock(reply.links));
    return { ...fitMessage({ text, blocks }), broadcast: reply.broadcast };
  },
};

function linksBlock(links: NonNullable<NoteReply['links']>): Block {
  const text = links.map((l) => link(l.url, l.name)).join(' · ');
  return { type: 'context', elements: [{ type: 'mrkdwn', text, verbatim: true }] };
}
