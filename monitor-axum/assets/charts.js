// Charts: uPlot (vendored, window.uPlot) for the 24 h series, with the
// API's anomalies marked on volume and error rate. Sizes follow their
// containers.

import { fill } from './dom.js';
import { ms, count } from './format.js';
import { flagged, drawMarks, noteMarks } from './marks.js';

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
    this.marks = [];
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
      const opts = this.makeOpts(this.el, extra);
      opts.hooks = { draw: [drawMarks(() => this.marks)] };
      this.plot = new window.uPlot(opts, data, this.el);
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

  /** `hourly`: /api/metrics/hourly's buckets, oldest first (the last 24 are drawn). */
  setSeries(hourly, limits) {
    const day = hourly.slice(-24);
    const xs = day.map((b) => secs(b.start));
    this.volume.marks = flagged(day, 'count');
    noteMarks(document.getElementById('anomalies-volume'), this.volume.marks);
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

  /**
   * `points`: /api/errors/stats `hourly` (rate is a fraction); `hourly`:
   * /api/metrics/hourly's buckets, whose flagged error rates are marked.
   */
  setErrorRate(points, limits, hourly) {
    const xs = points.map((p) => secs(p.start));
    this.errors.marks = flagged(hourly.slice(-24), 'error_rate');
    noteMarks(document.getElementById('anomalies-errors'), this.errors.marks);
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
