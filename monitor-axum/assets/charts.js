// Charts: uPlot (vendored, window.uPlot) for the 24 h series, a grid of
// cells for the day × hour heatmap. Sizes follow their containers.

import { h, fill } from './dom.js';
import { ms, count } from './format.js';

const AXIS = { stroke: '#94a3b8', grid: { stroke: 'rgba(148,163,184,0.12)', width: 1 }, ticks: { stroke: 'rgba(148,163,184,0.25)', width: 1 } };
const COLORS = { volume: '#38bdf8', p50: '#a78bfa', p95: '#38bdf8', p99: '#f472b6', rate: '#f87171', warn: '#f59e0b', crit: '#ef4444' };
const HEIGHT = 190;

function threshold(label, color) {
  return { label, stroke: color, width: 1, dash: [6, 5], points: { show: false } };
}

function baseOpts(el, series, yValues, range) {
  return {
    width: Math.max(200, el.clientWidth),
    height: HEIGHT,
    padding: [8, 8, 0, 0],
    series: [{}, ...series],
    scales: { x: { time: true }, y: { range } },
    axes: [
      { ...AXIS, space: 60 },
      { ...AXIS, size: 62, values: (u, vals) => vals.map(yValues) },
    ],
    legend: { show: true, live: true },
    cursor: { points: { size: 6 }, drag: { x: false, y: false } },
  };
}

/** One uPlot chart that resizes with its box and takes new data. */
class Chart {
  constructor(el, makeOpts) {
    this.el = el;
    this.makeOpts = makeOpts;
    this.plot = null;
    new ResizeObserver(() => {
      if (this.plot && this.el.clientWidth > 0) {
        this.plot.setSize({ width: this.el.clientWidth, height: HEIGHT });
      }
    }).observe(el);
  }

  set(data, extra) {
    if (!window.uPlot) return;
    if (!this.plot) {
      fill(this.el);
      this.plot = new window.uPlot(this.makeOpts(this.el, extra), data, this.el);
    } else {
      this.plot.setData(data);
    }
  }
}

/** Axis ticks in ms: "250 ms", "1 s", "1.5 s". */
function tickMs(v) {
  return v >= 1000 ? `${+(v / 1000).toFixed(2)} s` : `${Math.round(v)} ms`;
}

const secs = (iso) => Math.floor(new Date(iso).getTime() / 1000);
const orNull = (v) => (v === undefined ? null : v);

export class Charts {
  constructor() {
    this.volume = new Chart(document.getElementById('chart-volume'), (el) =>
      baseOpts(el, [{
        label: 'messages', stroke: COLORS.volume, width: 0, fill: 'rgba(56,189,248,0.55)',
        paths: window.uPlot.paths.bars({ size: [0.7, 40] }), points: { show: false },
        value: (u, v) => count(v),
      }], (v) => (v >= 1000 ? `${Math.round(v / 1000)}k` : String(v)), (u, min, max) => [0, Math.max(10, max * 1.1)]));
    this.latency = new Chart(document.getElementById('chart-latency'), (el) =>
      baseOpts(el, [
        { label: 'p50', stroke: COLORS.p50, width: 1.5, value: (u, v) => ms(v) },
        { label: 'p95', stroke: COLORS.p95, width: 2, value: (u, v) => ms(v) },
        { label: 'p99', stroke: COLORS.p99, width: 1.5, value: (u, v) => ms(v) },
        threshold('degraded', COLORS.warn),
        threshold('critical', COLORS.crit),
      ], tickMs, (u, min, max) => [0, Math.max(max * 1.1, 100)]));
    this.errors = new Chart(document.getElementById('chart-errors'), (el) =>
      baseOpts(el, [
        { label: 'error rate', stroke: COLORS.rate, width: 2, fill: 'rgba(248,113,113,0.12)', value: (u, v) => (v == null ? '–' : `${v.toFixed(3)} %`) },
        threshold('degraded', COLORS.warn),
        threshold('critical', COLORS.crit),
      ], (v) => `${+v.toFixed(2)} %`, (u, min, max) => [0, Math.max(max * 1.15, 1)]));
  }

  /** `hourly`: the collector's buckets, oldest first (the last 24 are drawn). */
  setSeries(hourly, limits) {
    const day = hourly.slice(-24);
    const xs = day.map((b) => secs(b.start));
    this.volume.set([xs, day.map((b) => b.count)]);
    const warn = limits ? limits.degraded_p95_ms : null;
    const crit = limits ? limits.critical_p95_ms : null;
    this.latency.set([
      xs,
      day.map((b) => orNull(b.p50_ms)),
      day.map((b) => orNull(b.p95_ms)),
      day.map((b) => orNull(b.p99_ms)),
      xs.map(() => warn),
      xs.map(() => crit),
    ]);
  }

  /** `points`: /api/errors/stats `hourly` (rate is a fraction). */
  setErrorRate(points, limits) {
    const xs = points.map((p) => secs(p.start));
    const warn = limits ? limits.degraded_error_rate * 100 : null;
    const crit = limits ? limits.critical_error_rate * 100 : null;
    this.errors.set([
      xs,
      points.map((p) => (p.rate == null ? null : p.rate * 100)),
      xs.map(() => warn),
      xs.map(() => crit),
    ]);
  }
}

const DAY_MS = 86400000;

/** The day × hour grid: the last 7 local days as rows, 24 hours as columns. */
export function renderHeatmap(el, hourly) {
  const counts = new Map();
  let max = 0;
  for (const b of hourly) {
    const d = new Date(b.start);
    const key = `${d.getFullYear()}-${d.getMonth()}-${d.getDate()}|${d.getHours()}`;
    const n = (counts.get(key) || 0) + b.count;
    counts.set(key, n);
    max = Math.max(max, n);
  }
  const today = new Date();
  today.setHours(0, 0, 0, 0);
  const cells = [h('span', { class: 'hm-corner' })];
  for (let hour = 0; hour < 24; hour++) {
    cells.push(h('span', { class: 'hm-hour', text: hour % 3 === 0 ? String(hour).padStart(2, '0') : '' }));
  }
  for (let back = 6; back >= 0; back--) {
    const day = new Date(today.getTime() - back * DAY_MS);
    const label = day.toLocaleDateString(undefined, { weekday: 'short' });
    cells.push(h('span', { class: 'hm-day', text: label }));
    for (let hour = 0; hour < 24; hour++) {
      const key = `${day.getFullYear()}-${day.getMonth()}-${day.getDate()}|${hour}`;
      const n = counts.get(key) || 0;
      const level = n === 0 || max === 0 ? 0 : Math.min(5, 1 + Math.floor((n / max) * 4.999));
      cells.push(h('span', {
        class: `hm-cell l${level}`,
        title: `${day.toLocaleDateString()} ${String(hour).padStart(2, '0')}:00 · ${count(n)} messages`,
      }));
    }
  }
  const legend = h('div', { class: 'hm-legend' }, 'less',
    [0, 1, 2, 3, 4, 5].map((l) => h('span', { class: `hm-cell l${l}` })), 'more',
    h('span', { class: 'muted', text: ` · busiest hour ${count(max)}` }));
  fill(el, h('div', { class: 'hm-grid' }, cells), legend);
}
