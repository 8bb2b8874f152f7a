/**
 * /assets/dashboard.css. Kept in a module so it ships in dist with the code. Mobile first: tables
 * become cards below 48rem so a phone never scrolls sideways; every interactive element shows a
 * focus ring; colours keep WCAG AA contrast in light and dark schemes.
 */
export const STYLES = `:root {
  color-scheme: light dark;
  --bg: #ffffff; --fg: #1d1c1d; --muted: #5e5d60; --line: #dddddd; --panel: #f8f8f8;
  --accent: #1264a3; --brand: #4a154b; --focus: #1d9bd1;
  --danger: #b8133f; --warning: #8a5a00; --good: #0b7a4b; --info: #0b6a8a;
  font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #1a1d21; --fg: #e8e8e8; --muted: #a8a8aa; --line: #3a3d42; --panel: #222529;
    --accent: #6cb4ee; --focus: #6cb4ee;
    --danger: #ff7a9a; --warning: #f0c060; --good: #5fd39b; --info: #6fd0f0;
  }
}
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--fg); }
a { color: var(--accent); }
a:focus-visible, button:focus-visible, input:focus-visible, select:focus-visible, summary:focus-visible, main:focus-visible {
  outline: 3px solid var(--focus); outline-offset: 2px;
}
.skip-link { position: absolute; left: 0.5rem; top: -3rem; background: var(--bg); padding: 0.5rem 1rem; z-index: 10; }
.skip-link:focus { top: 0.5rem; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
.top { display: flex; flex-wrap: wrap; align-items: center; gap: 0.5rem 1.5rem; padding: 0.75rem 1rem; background: var(--brand); color: #fff; }
.top a { color: #fff; }
.brand { font-weight: 700; text-decoration: none; }
.top nav ul { display: flex; gap: 1rem; margin: 0; padding: 0; list-style: none; }
.top nav a { text-decoration: none; padding: 0.25rem 0; border-bottom: 2px solid transparent; }
.top nav a[aria-current="page"] { border-bottom-color: #fff; font-weight: 600; }
.live-status { margin: 0 0 0 auto; font-size: 0.875rem; opacity: 0.9; }
main { display: block; max-width: 80rem; margin: 0 auto; padding: 1rem; }
h1 { font-size: 1.5rem; margin: 0.5rem 0 1rem; overflow-wrap: anywhere; }
h1 small { font-size: 1rem; color: var(--muted); font-weight: 400; }
h2 { font-size: 1.2rem; margin-top: 1.5rem; }
code { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 0.9em; background: var(--panel); padding: 0 0.2em; border-radius: 3px; overflow-wrap: anywhere; }
.muted { color: var(--muted); }
.notice { padding: 0.5rem 0.75rem; border-left: 4px solid var(--warning); background: var(--panel); }
.empty { color: var(--muted); }
.big { font-size: 1.15rem; }
.crumbs { margin: 0; color: var(--muted); font-size: 0.9rem; }
.foot { max-width: 80rem; margin: 2rem auto; padding: 0 1rem; color: var(--muted); font-size: 0.8rem; }

.filters { display: flex; flex-wrap: wrap; gap: 0.75rem 1rem; align-items: flex-end; margin-bottom: 1rem; }
.field { display: flex; flex-direction: column; gap: 0.25rem; }
.field label { font-size: 0.875rem; font-weight: 600; }
.field.actions { flex-direction: row; align-items: center; gap: 0.75rem; }
select, input, button { font: inherit; padding: 0.4rem 0.6rem; border: 1px solid var(--line); border-radius: 4px; background: var(--bg); color: var(--fg); min-height: 2.5rem; }
button { background: var(--accent); color: #fff; border-color: var(--accent); cursor: pointer; }

table { width: 100%; border-collapse: collapse; }
th, td { text-align: left; padding: 0.5rem; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-size: 0.875rem; color: var(--muted); }
.num { text-align: right; }
td.title { overflow-wrap: anywhere; }
.count { color: var(--muted); font-size: 0.9rem; }

.badge, .sev { display: inline-block; padding: 0 0.5rem; border-radius: 999px; font-size: 0.8rem; font-weight: 600; border: 1px solid currentColor; white-space: nowrap; }
.state-firing, .guard-locked, .outcome-failed, .outcome-error { color: var(--danger); }
.state-resolved, .guard-unlocked, .outcome-successful { color: var(--good); }
.outcome-inconclusive { color: var(--warning); }
.sev { border: none; padding: 0; }
.sev-critical, .sev-error { color: var(--danger); }
.sev-warning, .sev-unknown { color: var(--warning); }
.sev-info { color: var(--info); }

.facts { display: grid; grid-template-columns: repeat(auto-fill, minmax(14rem, 1fr)); gap: 0.75rem 1.5rem; margin: 0 0 1rem; }
.facts dt { font-size: 0.8rem; color: var(--muted); font-weight: 600; }
.facts dd { margin: 0; overflow-wrap: anywhere; }
progress { width: 10rem; max-width: 100%; vertical-align: middle; }
.episodes { display: flex; justify-content: space-between; gap: 1rem; margin: 1rem 0; }

.timeline { list-style: none; margin: 0; padding: 0; border-left: 3px solid var(--line); }
.msg { position: relative; margin: 0 0 1rem; padding: 0.25rem 0 0.25rem 1rem; }
.msg-reply { margin-left: 1.5rem; }
.msg-edit { color: var(--muted); }
.msg-head { display: flex; flex-wrap: wrap; align-items: baseline; gap: 0.25rem 0.5rem; margin: 0 0 0.25rem; }
.avatar { display: inline-grid; place-items: center; width: 1.75rem; height: 1.75rem; border-radius: 4px; background: var(--brand); color: #fff; font-weight: 700; font-size: 0.9rem; align-self: center; }
.msg-kind { color: var(--muted); }
.msg-time { font-size: 0.85rem; }
.msg-body { overflow-wrap: anywhere; }
.sl-text { white-space: pre-wrap; }
.sl-header { font-weight: 700; font-size: 1.05rem; margin: 0.25rem 0; }
.sl-fields { display: grid; grid-template-columns: repeat(auto-fill, minmax(12rem, 1fr)); gap: 0.25rem 1rem; margin-top: 0.25rem; }
.sl-context { font-size: 0.85rem; color: var(--muted); margin: 0.25rem 0; }
.sl-attachment { border-left: 4px solid var(--line); padding-left: 0.75rem; margin: 0.25rem 0; }
.sl-danger { border-left-color: #e01e5a; }
.sl-warning { border-left-color: #ecb22e; }
.sl-good { border-left-color: #2eb67d; }
.sl-info { border-left-color: #36c5f0; }
.sl-button { display: inline-block; border: 1px solid var(--line); border-radius: 4px; padding: 0 0.5rem; font-size: 0.85rem; color: var(--muted); }
.sl-mention { background: var(--panel); border-radius: 3px; padding: 0 0.15em; }
.sl-divider { border: 0; border-top: 1px solid var(--line); }
details summary { cursor: pointer; }
.failed { color: var(--danger); }

/* Deployments: status tones, the traffic chart (inline SVG styled from here: the CSP forbids inline styles). */
.deploy-good { color: var(--good); }
.deploy-bad { color: var(--danger); }
.deploy-warn { color: var(--warning); }
.deploy-active { color: var(--info); }
.step-failed .step-state { color: var(--danger); font-weight: 600; }
.step-running .step-state { color: var(--info); font-weight: 600; }
.step-not-run, .step-pending { color: var(--muted); }
.failure { border-left: 4px solid var(--danger); background: var(--panel); padding: 0.25rem 1rem; margin: 1rem 0; overflow-wrap: anywhere; }
.failure h2 { margin-top: 0.5rem; }
.command { display: block; margin-top: 0.25rem; padding: 0.5rem; white-space: pre-wrap; }
.people { list-style: none; padding: 0; color: var(--muted); }
.chart { margin: 0 0 0.5rem; }
.chart svg { width: 100%; max-width: 48rem; height: auto; display: block; }
.chart .grid { stroke: var(--line); stroke-width: 1; }
.chart .mark { stroke: var(--muted); stroke-width: 1; }
.chart .axis { fill: var(--muted); font-size: 12px; }
.series-0 { stroke: #1264a3; background: #1264a3; }
.series-1 { stroke: #c2410c; background: #c2410c; }
.series-2 { stroke: #0b7a4b; background: #0b7a4b; }
.series-3 { stroke: #7c3aed; background: #7c3aed; }
.series-4 { stroke: #a16207; background: #a16207; }
.series-5 { stroke: #be185d; background: #be185d; }
@media (prefers-color-scheme: dark) {
  .series-0 { stroke: #6cb4ee; background: #6cb4ee; }
  .series-1 { stroke: #fb923c; background: #fb923c; }
  .series-2 { stroke: #5fd39b; background: #5fd39b; }
}
.legend { display: flex; flex-wrap: wrap; gap: 0.25rem 1rem; font-size: 0.9rem; }
.key { display: inline-flex; align-items: center; gap: 0.4rem; overflow-wrap: anywhere; }
.swatch { display: inline-block; width: 1rem; height: 0.3rem; border-radius: 2px; }
.analysis h3 { font-size: 1rem; margin: 1rem 0 0.25rem; }
.log ol { padding-left: 1.25rem; font-size: 0.9rem; overflow-wrap: anywhere; }

/* Phones: each row is a card with its column names, so nothing scrolls sideways. */
@media (max-width: 48rem) {
  table, thead, tbody, tr, th, td { display: block; }
  thead { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
  tr { border: 1px solid var(--line); border-radius: 6px; margin-bottom: 0.75rem; padding: 0.25rem 0.5rem; }
  td { border: none; padding: 0.25rem 0; overflow-wrap: anywhere; }
  td::before { content: attr(data-label); display: inline-block; width: 6.5rem; margin-right: 0.5rem; vertical-align: top; font-size: 0.8rem; color: var(--muted); font-weight: 600; }
  .num { text-align: left; }
  .live-status { margin-left: 0; width: 100%; }
  .msg-reply { margin-left: 0.75rem; }
}
`;
