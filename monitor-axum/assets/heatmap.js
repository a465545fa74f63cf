// The day-of-week × hour-of-day heatmap from /api/analytics/heatmap:
// four weeks of messages per weekday and hour, in the monitor's timezone.

import { h, fill } from './dom.js';
import { count, short } from './format.js';

const LEVELS = 5;

/** A cell's shade: 0 for none, 1..LEVELS by its share of the busiest cell. */
function level(n, max) {
  return n === 0 || max === 0 ? 0 : Math.min(LEVELS, 1 + Math.floor((n / max) * (LEVELS - 0.001)));
}

const hh = (hour) => String(hour).padStart(2, '0');

/**
 * Draws `body` (`{weeks, timezone, from, to, days, counts, max, total}`)
 * into `el`: one row per weekday, one column per hour, each cell titled
 * with its count and carrying it as `data-n`.
 */
export function renderHeatmap(el, body) {
  const cells = [h('span', { class: 'hm-corner' })];
  for (let hour = 0; hour < 24; hour++) {
    cells.push(h('span', { class: 'hm-hour', text: hour % 3 === 0 ? hh(hour) : '' }));
  }
  body.days.forEach((day, d) => {
    cells.push(h('span', { class: 'hm-day', text: day }));
    for (let hour = 0; hour < 24; hour++) {
      const n = body.counts[d][hour];
      cells.push(h('span', {
        class: `hm-cell l${level(n, body.max)}`,
        data: { day: String(d), hour: String(hour), n: String(n) },
        title: `${day} ${hh(hour)}:00–${hh(hour)}:59 ${body.timezone} · ${count(n)} messages over ${body.weeks} weeks`,
      }));
    }
  });
  const legend = h('div', { class: 'hm-legend' }, 'less',
    Array.from({ length: LEVELS + 1 }, (_, l) => h('span', { class: `hm-cell l${l}` })), 'more',
    h('span', { class: 'muted', text: ` · busiest hour ${count(body.max)} · ${short(body.total)} messages in all` }));
  el.dataset.total = String(body.total);
  el.dataset.to = body.to;
  fill(el, h('div', { class: 'hm-grid' }, cells), legend);
}
