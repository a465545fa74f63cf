// Anomaly markers on a uPlot chart: a red ring on each flagged bucket
// (the API's `anomalies.count` / `anomalies.error_rate`), placed over the
// plot after every draw, titled with what it was judged against, and the
// same explanations as text under the chart.

import { h, fill } from './dom.js';
import { count, dayTime } from './format.js';

/**
 * One marker per flagged bucket of `buckets` (/api/metrics/hourly):
 * `{x, y, start, text}`, x in seconds, y in the chart's unit.
 * `figure`: 'count' or 'error_rate'.
 */
export function flagged(buckets, figure) {
  const out = [];
  for (const b of buckets) {
    const a = b.anomalies && b.anomalies[figure];
    if (!a) continue;
    const rate = figure === 'error_rate';
    const read = rate ? (v) => `${(v * 100).toFixed(2)} %` : (v) => count(Math.round(v));
    const spread = rate ? `${(a.std_dev * 100).toFixed(2)} pp` : count(Math.round(a.std_dev));
    const text = `${dayTime(b.start)}: ${read(a.value)}${rate ? ' errors' : ' messages'}, `
      + `${Math.abs(a.deviations).toFixed(1)}σ ${a.direction === 'high' ? 'above' : 'below'} `
      + `the trailing mean ${read(a.mean)} ± ${spread}${b.partial ? ' (hour still running)' : ''}`;
    out.push({ x: Math.floor(new Date(b.start).getTime() / 1000), y: rate ? a.value * 100 : a.value, start: b.start, text });
  }
  return out;
}

/** A uPlot draw hook that (re)places `marks()`' rings over the plot. */
export function drawMarks(marks) {
  return (u) => {
    for (const old of u.over.querySelectorAll('.anomaly-mark')) old.remove();
    const [x0, x1] = [u.scales.x.min, u.scales.x.max];
    for (const m of marks()) {
      if (m.x < x0 || m.x > x1) continue;
      const ring = h('span', { class: 'anomaly-mark', title: `Anomaly · ${m.text}`, data: { start: m.start } });
      ring.style.left = `${u.valToPos(m.x, 'x')}px`;
      ring.style.top = `${u.valToPos(Math.min(m.y, u.scales.y.max), 'y')}px`;
      u.over.appendChild(ring);
    }
  };
}

/** The explanations, as a list under the chart (empty when none). */
export function noteMarks(el, marks) {
  el.hidden = marks.length === 0;
  fill(el, marks.map((m) => h('li', { data: { start: m.start } },
    h('span', { class: 'anomaly-dot', 'aria-hidden': 'true' }), `Anomaly · ${m.text}`)));
}
