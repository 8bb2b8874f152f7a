/**
 * Figure 5, serve's memory: one `threader serve` (launched with the Node flags that ship, see
 * serve-flags.js) takes `openThreads` alert groups, all firing, until every parent is posted.
 * Reported: the kernel's high-water mark over the whole run (what a MemoryMax= must allow), the
 * RSS once every thread is open, and again after `settleMs` idle (what V8 kept), with the live
 * heap beside it (so a flag that caps the heap is seen to leave room).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { bodies, parentCount, sendAll } from './replica-load.js';
import { startServe, waitUntil } from './replica-process.js';
import { round } from './stats.js';

/** threader_nodejs_heap_size_used_bytes / _total_bytes (prom-client) and V8's heap limit, in MB. */
async function heapOf(url) {
  const text = await (await globalThis.fetch(`${url}/metrics`)).text();
  const mb = (name) => {
    const m = new RegExp(`^threader_nodejs_${name} (\\S+)$`, 'm').exec(text);
    return m ? round(Number(m[1]) / 1048576, 1) : null;
  };
  return { usedMb: mb('heap_size_used_bytes'), totalMb: mb('heap_size_total_bytes') };
}

/**
 * @param {{store: string, db: string, emu: any, configPath: string, logFd: number,
 *   openThreads: number, nodeOptions: string, settleMs: number}} o
 */
export async function serveMemory(o) {
  const serve = await startServe({
    db: o.db,
    slackUrl: o.emu.url,
    configPath: o.configPath,
    logFd: o.logFd,
    nodeOptions: o.nodeOptions,
  });
  try {
    const idleMb = serve.rssMb();
    const before = parentCount(o.emu);
    const t0 = Date.now();
    const failed = await sendAll([serve.url], bodies(o.openThreads, `mem-${o.store}-${Date.now()}`));
    await waitUntil(() => parentCount(o.emu) - before >= o.openThreads, 10 * 60_000, 50);
    const burstMs = Date.now() - t0;
    const openMb = serve.rssMb();
    const heapOpen = await heapOf(serve.url);
    // Not a wait for an event: how much V8 gives back when nothing happens is the measurement.
    await sleep(o.settleMs);
    const settledMb = serve.rssMb();
    const heapSettled = await heapOf(serve.url);
    const health = await (await globalThis.fetch(`${serve.url}/health`)).json();
    return {
      peakMb: round(serve.peakRssMb(), 1),
      idleMb: round(idleMb, 1),
      openMb: round(openMb, 1),
      settledMb: round(settledMb, 1),
      heapOpen,
      heapSettled,
      openThreads: health.openThreads ?? null,
      burstMs,
      groupsPerSecond: round((o.openThreads / burstMs) * 1000, 1),
      failed,
    };
  } finally {
    await serve.stop();
  }
}
