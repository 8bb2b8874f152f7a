import { describe, expect, it } from 'vitest';
import { parseUpstream, renderUpstream } from './nginx-render.js';
import type { UpstreamServer } from './types.js';

const fleet: UpstreamServer[] = [
  { name: 'py-a', host: '127.0.0.1', port: 8081, weight: 1 },
  { name: 'go-a', host: '127.0.0.1', port: 8083, weight: 9 },
  { name: 'node-a', host: '10.0.0.7', port: 8082, weight: 0 },
];

describe('renderUpstream', () => {
  it('writes one upstream block, sorted by instance, with weights, shares and the managed header', () => {
    expect(renderUpstream('threader', fleet)).toMatchInlineSnapshot(`
      "# Managed by alert-threader (threader deploy).
      # Do not edit: the next deploy rewrites this file. Each server line names its instance.
      upstream threader {
          server 127.0.0.1:8083 weight=9 max_fails=3 fail_timeout=5s; # instance=go-a share=90.0%
          server 127.0.0.1:8081 weight=1 max_fails=3 fail_timeout=5s; # instance=py-a share=10.0%
          keepalive 16;
      }
      "
    `);
  });

  it('renders the same bytes whatever order the instances come in', () => {
    expect(renderUpstream('u', [...fleet].reverse())).toBe(renderUpstream('u', fleet));
  });

  it('brackets IPv6 addresses and leaves keepalive out when it is 0', () => {
    expect(
      renderUpstream('u', [{ name: 'v6', host: '::1', port: 9000, weight: 2 }], {
        maxFails: 1,
        failTimeoutSeconds: 10,
        keepalive: 0,
      }),
    ).toMatchInlineSnapshot(`
      "# Managed by alert-threader (threader deploy).
      # Do not edit: the next deploy rewrites this file. Each server line names its instance.
      upstream u {
          server [::1]:9000 weight=2 max_fails=1 fail_timeout=10s; # instance=v6 share=100.0%
      }
      "
    `);
  });

  it.each<[string, UpstreamServer[], RegExp]>([
    ['an upstream with no servers at all is refused', [], /no servers/],
    [
      'an upstream whose every weight is 0 is refused',
      [{ name: 'a', host: 'h', port: 1, weight: 0 }],
      /no servers/,
    ],
    ['a fractional weight is refused', [{ name: 'a', host: 'h', port: 1, weight: 1.5 }], /whole numbers/],
    ['a negative weight is refused', [{ name: 'a', host: 'h', port: 1, weight: -1 }], /whole numbers/],
    [
      'a host that would inject config is refused',
      [{ name: 'a', host: 'h; include /etc/passwd', port: 1, weight: 1 }],
      /not a host name/,
    ],
    ['a port out of range is refused', [{ name: 'a', host: 'h', port: 70000, weight: 1 }], /bad port/],
    [
      'the same instance twice is refused',
      [
        { name: 'a', host: 'h', port: 1, weight: 1 },
        { name: 'a', host: 'h', port: 2, weight: 1 },
      ],
      /listed twice/,
    ],
  ])('%s', (_name, servers, message) => {
    expect(() => renderUpstream('u', servers)).toThrow(message);
    try {
      renderUpstream('u', servers);
    } catch (err) {
      expect(err).toMatchObject({ code: 'invalid_upstream' });
    }
  });

  it('refuses an upstream name nginx could not parse', () => {
    expect(() => renderUpstream('my app', fleet)).toThrow(/not a valid nginx name/);
  });
});

describe('parseUpstream', () => {
  it('reads back exactly the live servers it rendered', () => {
    const back = parseUpstream(renderUpstream('u', fleet));
    expect(back).toEqual([
      { name: 'go-a', host: '127.0.0.1', port: 8083, weight: 9 },
      { name: 'py-a', host: '127.0.0.1', port: 8081, weight: 1 },
    ]);
  });

  it('round-trips IPv6 hosts', () => {
    const v6 = [{ name: 'v6', host: '::1', port: 9000, weight: 2 }];
    expect(parseUpstream(renderUpstream('u', v6))).toEqual(v6);
  });

  it('reads a hand-written file: default weight 1, host:port as the name, down and backup servers out', () => {
    const text = [
      'upstream app {',
      '  server 10.0.0.1:8080;',
      '  server 10.0.0.2:8080 weight=5 max_fails=2;',
      '  server 10.0.0.3:8080 down;',
      '  server 10.0.0.4:8080 backup;',
      '  keepalive 8;',
      '}',
    ].join('\n');
    expect(parseUpstream(text)).toEqual([
      { name: '10.0.0.1:8080', host: '10.0.0.1', port: 8080, weight: 1 },
      { name: '10.0.0.2:8080', host: '10.0.0.2', port: 8080, weight: 5 },
    ]);
  });

  it('finds no servers in an empty file', () => {
    expect(parseUpstream('')).toEqual([]);
  });
});
