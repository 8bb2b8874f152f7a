import type { WeightPoint } from './deploy-detail.js';
import { formatTime } from './format.js';
import { markup, trusted, type Html } from './markup.js';

/**
 * The traffic share of each version over time, as inline SVG rendered on the server: no script,
 * no inline style (the CSP allows neither), colours from the stylesheet (`series-N` classes, so
 * they follow the light and dark schemes). Traffic holds between changes, so each version is a
 * step line. role="img" with a title and a description that says it in words; the page adds the
 * same numbers as a table.
 */

const W = 640;
const H = 220;
const PAD = { left: 44, right: 12, top: 12, bottom: 28 };
const SERIES = 6;

const x = (t: number, t0: number, t1: number) =>
  PAD.left + (t1 > t0 ? ((t - t0) / (t1 - t0)) * (W - PAD.left - PAD.right) : 0);
const y = (pct: number) => PAD.top + (1 - pct / 100) * (H - PAD.top - PAD.bottom);
const n = (v: number) => Math.round(v * 10) / 10;
const clock = (ms: number) => formatTime(ms).slice(11, 19);

/** The step path of one version: its share held from each change until the next, then to `endAt`. */
export function stepPath(points: WeightPoint[], version: string, endAt: number): string {
  const first = points[0];
  if (!first) return '';
  const t0 = first.at;
  const t1 = Math.max(endAt, (points[points.length - 1] as WeightPoint).at);
  let d = '';
  points.forEach((p, i) => {
    const share = p.shares[version] ?? 0;
    const px = n(x(p.at, t0, t1));
    const py = n(y(share));
    d += i === 0 ? `M${px} ${py}` : ` H${px} V${py}`;
  });
  return `${d} H${n(x(t1, t0, t1))}`;
}

/** "1.4.0 from 100% to 0%, 1.5.0 from 0% to 100%, in 4 traffic changes between 12:00:00 and 12:06:10 UTC." */
export function describeChart(points: WeightPoint[], versions: string[]): string {
  const first = points[0];
  const last = points[points.length - 1];
  if (!first || !last) return 'No traffic changes were recorded.';
  const each = versions.map((v) => `${v} from ${first.shares[v] ?? 0}% to ${last.shares[v] ?? 0}%`);
  const changes = `${points.length} traffic change${points.length === 1 ? '' : 's'}`;
  return `${each.join(', ')}, in ${changes} between ${clock(first.at)} and ${clock(last.at)} UTC.`;
}

export function weightChart(points: WeightPoint[], versions: string[], endAt: number, id = 'weights'): Html {
  if (points.length === 0) return markup`<p class="empty">No traffic changes were recorded.</p>`;
  const t0 = (points[0] as WeightPoint).at;
  const t1 = Math.max(endAt, (points[points.length - 1] as WeightPoint).at);
  const grid = [0, 50, 100].map(
    (p) => markup`<line class="grid" x1="${PAD.left}" x2="${W - PAD.right}" y1="${n(y(p))}" y2="${n(y(p))}" />
      <text class="axis" x="${PAD.left - 6}" y="${n(y(p)) + 4}" text-anchor="end">${p}%</text>`,
  );
  const series = versions.map(
    (v, i) =>
      markup`<path class="series series-${i % SERIES}" d="${stepPath(points, v, endAt)}" fill="none" stroke-width="2.5"
        ><title>${v}</title></path
      >`,
  );
  const marks = points.map(
    (p) =>
      markup`<line class="mark" x1="${n(x(p.at, t0, t1))}" x2="${n(x(p.at, t0, t1))}" y1="${H - PAD.bottom}" y2="${H - PAD.bottom + 4}" />`,
  );
  return markup`<figure class="chart">
    <svg viewBox="0 0 ${W} ${H}" role="img" aria-labelledby="${id}-title ${id}-desc" focusable="false">
      <title id="${id}-title">Traffic weight per version over time</title>
      <desc id="${id}-desc">${describeChart(points, versions)}</desc>
      ${grid} ${marks}
      <text class="axis" x="${PAD.left}" y="${H - 8}">${clock(t0)}</text>
      <text class="axis" x="${W - PAD.right}" y="${H - 8}" text-anchor="end">${clock(t1)} UTC</text>
      ${series}
    </svg>
    <figcaption class="legend">
      ${versions.map((v, i) => markup`<span class="key"><span class="swatch series-${i % SERIES}" aria-hidden="true"></span>${v}</span>`)}
    </figcaption>
  </figure>`;
}

/** The chart's numbers for people who cannot see it (and anyone who wants them exact). */
export function weightTable(points: WeightPoint[], versions: string[]): Html {
  if (points.length === 0) return trusted('');
  return markup`<table class="weights">
    <caption class="visually-hidden">Traffic share per version after each change</caption>
    <thead>
      <tr>
        <th scope="col">Time</th>
        ${versions.map((v) => markup`<th scope="col" class="num">${v}</th>`)}
        <th scope="col" class="num">Requested</th>
      </tr>
    </thead>
    <tbody>
      ${points.map(
        (p) => markup`<tr>
          <td data-label="Time">${clock(p.at)}</td>
          ${versions.map((v) => markup`<td data-label="${v}" class="num">${p.shares[v] ?? 0}%</td>`)}
          <td data-label="Requested" class="num">${p.requestedPercent === undefined ? '—' : `${p.requestedPercent}%`}</td>
        </tr>`,
      )}
    </tbody>
  </table>`;
}
