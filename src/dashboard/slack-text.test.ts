import { describe, expect, it } from 'vitest';
import { mrkdwn, slackMessage } from './slack-text.js';

describe('mrkdwn', () => {
  const cases: Array<[string, string, string]> = [
    [
      'shows Slack-escaped text as the characters it stands for, escaped for HTML',
      '&lt;b&gt; &amp; x',
      '&lt;b&gt; &amp; x',
    ],
    [
      'makes an https link clickable with its label',
      '<https://am.example/#/alerts?a=1&amp;b=2|Alertmanager>',
      '<a href="https://am.example/#/alerts?a=1&amp;b=2" rel="noopener noreferrer">Alertmanager</a>',
    ],
    ['never makes a javascript: link clickable', '<javascript:alert(1)|click>', 'click'],
    ['shows a channel mention as text, not a ping', '<!channel>', '<span class="sl-mention">@channel</span>'],
    [
      'shows bold, italic and code like Slack',
      '*Firing* _now_ `up == 0`',
      '<strong>Firing</strong> <em>now</em> <code>up == 0</code>',
    ],
    ['leaves underscores inside label names alone', 'alert_name=node_down', 'alert_name=node_down'],
    [
      'escapes markup written into an alert label',
      '<script>alert(1)</script>',
      '&lt;script&gt;alert(1)&lt;/script&gt;',
    ],
  ];
  it.each(cases)('%s', (_name, input, expected) => {
    expect(mrkdwn(input).value).toBe(expected);
  });
});

describe('slackMessage', () => {
  const parent = [
    { type: 'header', text: { type: 'plain_text', text: 'NodeDown &lt;x&gt;' } },
    { type: 'actions', elements: [{ type: 'button', text: { type: 'plain_text', text: 'Ack' } }] },
  ];
  const details = {
    color: '#E01E5A',
    blocks: [
      {
        type: 'section',
        text: { type: 'mrkdwn', text: '*2 firing*' },
        fields: [{ type: 'mrkdwn', text: 'a' }],
      },
      { type: 'context', elements: [{ type: 'mrkdwn', text: 'since 10:00' }] },
    ],
  };

  it('renders blocks and attachments recorded together, the colour bar as a class', () => {
    const out = slackMessage('fallback', { blocks: parent, attachments: [details] }).value;
    expect(out).toContain('<p class="sl-header">NodeDown &lt;x&gt;</p>');
    expect(out).toContain('class="sl-attachment sl-danger"');
    expect(out).toContain('<strong>2 firing</strong>');
    expect(out).toContain('<span class="sl-button">Ack</span>');
    expect(out).not.toContain('<button');
    expect(out).not.toContain('fallback');
  });

  it('reads blocks and attachments mixed in one array the same way', () => {
    expect(slackMessage('fallback', [...parent, details]).value).toBe(
      slackMessage('fallback', { blocks: parent, attachments: [details] }).value,
    );
  });

  it('shows the text fallback when only a header was recorded', () => {
    const out = slackMessage('⚠️ FIRING [warning] NodeDown — 2 firing, 0 resolved', parent).value;
    expect(out).toContain('2 firing, 0 resolved');
  });

  it('falls back to the text when there are no blocks', () => {
    expect(slackMessage('*resolved*', null).value).toBe(
      '<div class="sl-text"><strong>resolved</strong></div>',
    );
  });
});
