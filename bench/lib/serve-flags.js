/**
 * The Node flags `threader serve` ships with. They are defined once, in the systemd unit's
 * `Environment="NODE_OPTIONS=…"` (what production runs); `npm start` repeats them on its command
 * line, and this check refuses to measure anything if the two disagree, so the memory figures are
 * always those of the flags that ship.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const UNIT = fileURLToPath(new URL('../../examples/systemd/threader.service', import.meta.url));
const PACKAGE = fileURLToPath(new URL('../../package.json', import.meta.url));

/** `--a=1 --b=2` from `Environment="NODE_OPTIONS=--a=1 --b=2"` (quoted or not). */
export function nodeOptionsOfUnit(text) {
  const line = text.split('\n').find((l) => /^Environment="?NODE_OPTIONS=/.test(l));
  if (!line) return undefined;
  return line
    .replace(/^Environment="?NODE_OPTIONS=/, '')
    .replace(/"$/, '')
    .trim();
}

/** The flags `npm start` passes to node before bin/threader.js. */
export function nodeFlagsOfStartScript(script) {
  const m = /\bnode((?:\s+--[\w-]+(?:=\S+)?)*)\s+bin\/threader\.js serve\b/.exec(script ?? '');
  return m?.[1].trim();
}

export function shippedServeNodeOptions() {
  const unit = nodeOptionsOfUnit(readFileSync(UNIT, 'utf8'));
  if (!unit) throw new Error('examples/systemd/threader.service sets no NODE_OPTIONS');
  const start = nodeFlagsOfStartScript(JSON.parse(readFileSync(PACKAGE, 'utf8')).scripts?.start);
  if (start !== unit)
    throw new Error(
      `npm start runs serve with node flags "${start ?? ''}", threader.service with "${unit}": make them the same`,
    );
  return unit;
}
