import { describe, expect, it } from 'vitest';
import type { NoteState, ThreadRecord } from '../store/types.js';
import { noteRenderer } from './note-renderer.js';

const thread = { id: 'n', kind: 'note', state: { title: 'Deploy <!channel> v2' } } as ThreadRecord<NoteState>;

describe('noteRenderer', () => {
  it('escapes the title so it can never mention anyone', () => {
    const m = noteRenderer.parent(thread, { now: 0 });
    expect(m.text).toBe('Deploy &lt;!channel&gt; v2');
    expect(JSON.stringify(m.blocks)).not.toContain('<!channel>');
  });

  it('renders text, a code block and links, and passes the broadcast wish on', () => {
    const m = noteRenderer.reply(
      thread,
      {
        text: 'canary failed for <@U123>',
        code: 'threader rollback production && echo ```done```',
        links: [
          { name: 'Grafana', url: 'https://grafana.example.com/d/x' },
          { name: 'bad', url: 'javascript:alert(1)' },
        ],
        broadcast: true,
      },
      { now: 0 },
    );
    const blocks = JSON.stringify(m.blocks);
    expect(m.text).toBe('canary failed for &lt;@U123&gt;');
    expect(blocks).toContain('```\\nthreader rollback production &amp;&amp; echo ʼʼʼdoneʼʼʼ\\n```');
    expect(blocks).toContain('<https://grafana.example.com/d/x|Grafana>');
    expect(blocks).not.toContain('javascript:');
    expect(m.broadcast).toBe(true);
  });

  it('a rollback command ending in a backtick keeps it inside the code block', () => {
    const m = noteRenderer.reply(
      thread,
      { text: 'failed', code: "threader rollback --to 'v1`'" },
      { now: 0 },
    );
    const code = (m.blocks?.[1] as { text: { text: string } }).text.text;
    expect(code).toBe("```\nthreader rollback --to 'v1`'\n```");
  });

  it('shows the links kept with a parent that is a whole message (slack notify), only http(s) clickable', () => {
    const notice = {
      ...thread,
      state: {
        title: 'Release v2 is out',
        links: [
          { name: 'Changelog', url: 'https://example.com/v2' },
          { name: 'x', url: 'slack://evil' },
        ],
      },
    } as ThreadRecord<NoteState>;
    const blocks = JSON.stringify(noteRenderer.parent(notice, { now: 0 }).blocks);
    expect(blocks).toContain('<https://example.com/v2|Changelog>');
    expect(blocks).not.toContain('slack://');
  });
});
