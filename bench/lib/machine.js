/**
 * How much CPU other processes took while a step ran: figures from a 2-core machine shared with a
 * parallel test run are noise, and the report should say so rather than publish them silently.
 * Linux /proc only; elsewhere the probe reports nothing.
 */
import { readFileSync } from 'node:fs';

const HZ = 100; // USER_HZ: /proc reports clock ticks of 1/100 s on every Linux architecture we run on

function ticks() {
  try {
    const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    const [user, nice, system, , , irq, softirq, steal] = cpu;
    // utime, stime, cutime, cstime: this process plus its exited (reaped) children, i.e. the servers.
    const self = readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ').slice(11, 15).map(Number);
    return { busy: user + nice + system + irq + softirq + steal, ours: self.reduce((a, b) => a + b, 0) };
  } catch {
    return undefined;
  }
}

/** Starts a probe; `stop()` returns the cores other processes kept busy on average. */
export function otherLoadProbe() {
  const t0 = ticks();
  const at = Date.now();
  return {
    stop() {
      const t1 = ticks();
      if (!t0 || !t1) return undefined;
      const seconds = (Date.now() - at) / 1000;
      const other = (t1.busy - t0.busy - (t1.ours - t0.ours)) / HZ / seconds;
      return Number(Math.max(0, other).toFixed(2));
    },
  };
}
