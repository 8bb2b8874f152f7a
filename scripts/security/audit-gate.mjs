#!/usr/bin/env node
// The dependency-audit gate: `npm audit --omit=dev --json`, judged here rather than by npm's own
// exit code, which is 1 both for "vulnerabilities at or above the level" and for "the advisory
// service could not be asked" — a gate must tell those apart to say what to do.
//
// Exit 0: no runtime dependency has an advisory at or above the level.
// Exit 1: one has (each listed), or the advisory service did not answer and
//         THREADER_AUDIT_UNAVAILABLE is not "warn".
// Usage: node scripts/security/audit-gate.mjs [--level high] [--report FILE]
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

export const SEVERITIES = ['info', 'low', 'moderate', 'high', 'critical'];

/**
 * What an `npm audit --json` document means for a gate at `level`.
 * @param {unknown} report parsed stdout of `npm audit --json`
 * @param {string} level one of SEVERITIES
 * @returns {{ verdict: 'pass' | 'fail' | 'unavailable', findings: string[], detail: string }}
 */
export function auditVerdict(report, level) {
  const floor = SEVERITIES.indexOf(level);
  if (floor < 0) throw new Error(`unknown audit level "${level}" (one of ${SEVERITIES.join(', ')})`);
  const counts = report?.metadata?.vulnerabilities;
  if (counts === undefined || typeof counts !== 'object') {
    // npm prints the registry's error as JSON: e.g. a mirror without the advisories endpoint (405).
    const why = report?.message ?? report?.error?.summary ?? 'no audit report';
    return { verdict: 'unavailable', findings: [], detail: String(why) };
  }
  const findings = Object.entries(report.vulnerabilities ?? {})
    .filter(([, v]) => SEVERITIES.indexOf(v?.severity) >= floor)
    .map(([name, v]) => {
      const via = (v.via ?? [])
        .map((x) => (typeof x === 'string' ? `via ${x}` : `${x.title ?? 'advisory'} ${x.url ?? ''}`.trim()))
        .join('; ');
      return `${name} (${v.severity}, ${v.range ?? 'any version'}): ${via}${v.fixAvailable ? ' — fix available' : ''}`;
    });
  const atOrAbove = SEVERITIES.slice(floor).reduce((n, s) => n + (Number(counts[s]) || 0), 0);
  const total = SEVERITIES.reduce((n, s) => n + (Number(counts[s]) || 0), 0);
  return {
    verdict: atOrAbove > 0 ? 'fail' : 'pass',
    findings,
    detail: `${atOrAbove} at or above ${level}, ${total} in all`,
  };
}

function main(argv) {
  const flag = (name, fallback) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : fallback);
  const level = flag('--level', 'high');
  const reportFile = flag('--report', undefined);
  const run = spawnSync('npm', ['audit', '--omit=dev', '--json'], { encoding: 'utf8', maxBuffer: 64 << 20 });
  let report;
  try {
    report = JSON.parse(run.stdout);
  } catch {
    report = {
      message: `npm audit printed no JSON (exit ${run.status}): ${run.stderr.trim().slice(0, 500)}`,
    };
  }
  if (reportFile) writeFileSync(reportFile, JSON.stringify(report, null, 2));
  const result = auditVerdict(report, level);
  for (const f of result.findings) console.error(`audit: ${f}`);
  if (result.verdict === 'pass') {
    console.error(`audit: ok (${result.detail})`);
    return 0;
  }
  if (result.verdict === 'fail') {
    console.error(`audit: FAILED (${result.detail})`);
    return 1;
  }
  const warnOnly = process.env.THREADER_AUDIT_UNAVAILABLE === 'warn';
  console.error(
    `audit: the advisory service did not answer: ${result.detail}` +
      (warnOnly
        ? ' — not judged (THREADER_AUDIT_UNAVAILABLE=warn)'
        : ' — failing closed (set THREADER_AUDIT_UNAVAILABLE=warn where the registry has no audit endpoint)'),
  );
  return warnOnly ? 0 : 1;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href)
  process.exitCode = main(process.argv.slice(2));
