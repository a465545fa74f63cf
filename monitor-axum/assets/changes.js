// Change arrows on the figure cards: each figure against the previous
// period, from /api/metrics' `change` objects ({previous, change_pct}).
// Nothing shows where change_pct is null (no previous value, or 0).

import { count, short, ms, pct } from './format.js';

/**
 * [data-d name, the change in an /api/metrics body, how its value reads,
 * what "previous" was, what a rise means: '' neutral, 'bad' (up is worse)].
 */
const FIGURES = [
  ['m-hour', (m) => m.messages?.change?.last_hour, count, 'the hour before', ''],
  ['m-24h', (m) => m.messages?.change?.last_24h, short, 'the 24 hours before', ''],
  ['u-now', (m) => m.users?.change?.active_now, count, '30 minutes earlier', ''],
  ['u-today', (m) => m.users?.change?.active_today, short, '24 hours earlier', ''],
  ['p95', (m) => m.messages?.change?.p95, ms, 'an hour earlier', 'bad'],
  ['e-rate', (m) => m.errors?.change?.error_rate_last_hour, pct, 'an hour earlier', 'bad'],
];

/** "12.3 %", "4 %", "1,250 %": a change's size without its sign. */
function size(p) {
  const a = Math.abs(p);
  return `${a < 10 ? a.toFixed(1) : Math.round(a).toLocaleString()} %`;
}

/** Sets every card's arrow from an /api/metrics body. */
export function renderChanges(m) {
  for (const [name, pick, read, when, rise] of FIGURES) {
    for (const el of document.querySelectorAll(`[data-d="${name}"]`)) show(el, pick(m), read, when, rise);
  }
}

function show(el, change, read, when, rise) {
  const p = change ? change.change_pct : null;
  if (p == null || !isFinite(p)) {
    el.hidden = true;
    el.textContent = '';
    el.removeAttribute('title');
    delete el.dataset.dir;
    return;
  }
  const dir = p > 0 ? 'up' : p < 0 ? 'down' : 'flat';
  el.hidden = false;
  el.dataset.dir = dir;
  // A rise in errors or latency is bad and a fall good; volume is neither.
  el.dataset.mood = !rise || dir === 'flat' ? 'neutral' : (dir === 'up') === (rise === 'bad') ? 'bad' : 'good';
  el.textContent = `${dir === 'up' ? '▲' : dir === 'down' ? '▼' : '='} ${size(p)}`;
  el.title = `${p > 0 ? '+' : p < 0 ? '−' : '±'}${size(p)} against ${when}: ${read(change.previous)}`;
}
