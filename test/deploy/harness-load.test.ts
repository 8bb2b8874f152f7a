import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { steadyLoad } from './harness.js';

/**
 * The deploy scenarios' "zero failed requests" is only as good as the load's counter: it must see
 * every non-2xx answer and every request without an answer, except the bad canary's own 503s.
 */
describe('the steady load behind "zero failed requests"', () => {
  const answers: Array<[number, string]> = [
    [200, 'v1'],
    [500, 'v1'],
    [503, 'v3-bad'],
    [503, 'v2'],
    [404, 'v1'],
    [502, 'v1'],
  ];
  let served = 0;
  let allServed: () => void = () => undefined;
  const done = new Promise<void>((resolve) => (allServed = resolve));
  const server = createServer((_req, res) => {
    const [status, version] = answers[served] ?? [200, 'v1'];
    served++;
    if (served === answers.length) allServed();
    if (served === answers.length + 1) {
      // No answer at all: the client's own timeout must count it once the load settles.
      res.socket?.destroy();
      return;
    }
    res.writeHead(status, { 'x-version': version }).end('x');
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('counts a 500, a stable instance 503, a 404, a 502 and a dropped connection, but not the bad canary 503', async () => {
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    const load = steadyLoad(`http://127.0.0.1:${port}`, 20);
    await done;
    // One more request, the one the server drops.
    await new Promise<void>((r) => server.once('request', () => setImmediate(r)));
    load.stop();
    await load.settle();
    expect(load.failures().slice(0, 4)).toEqual(['500 from v1', '503 from v2', '404 from v1', '502 from v1']);
    expect(load.failures()[4]).toMatch(/^no answer/);
    expect(load.failed()).toBe(5);
    expect(load.completed()).toBe(served);
  });
});
