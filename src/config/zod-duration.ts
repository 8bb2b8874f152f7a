import { z } from 'zod';
import { parseDuration } from './duration.js';

/** A duration written as text ("10m") or a number of seconds, parsed to milliseconds. */
export const durationMs = () =>
  z.union([z.string(), z.number()]).transform((v, ctx) => {
    const ms = parseDuration(String(v));
    if (ms === undefined) {
      ctx.addIssue({ code: 'custom', message: `"${v}" is not a duration (like 500ms, 5s, 2m, 1h)` });
      return z.NEVER;
    }
    return ms;
  });

/** The same with a default, written as people would write it. */
export const duration = (dflt: string) => durationMs().prefault(dflt);
