// The queues panel (operators): per queue its depth, in flight,
// scheduled, oldest pending age, sent / failed / retried / dead letters
// (this hour and 24 h) and a 24-hour chart of what happened per hour.
// Live from `queue:stats`; /api/queues when polling; the hourly series
// from /api/queues/{name} now and then.

import { $, h, fill } from './dom.js';
import { count, ms, clock } from './format.js';
import { get } from './api.js';

const HOURLY_MS = 30000;

/** Fields of a queue card: [data-q] name, label, what it reads. */
const NOW = [
  ['depth', 'depth', (s) => count(s.depth)],
  ['in_flight', 'in flight', (s) => count(s.in_flight)],
  ['scheduled', 'scheduled', (s) => count(s.scheduled)],
  ['oldest', 'oldest pending', (s) => (s.oldest_pending_age_ms == null ? 'none' : ms(s.oldest_pending_age_ms))],
];
const STEPS = [
  ['sent', 'sent'],
  ['failed', 'failed'],
  ['retried', 'retried'],
  ['dead_lettered', 'dead letters'],
];

export class QueuesPanel {
  constructor() {
    this.el = $('queues');
    this.cards = new Map();
    this.hours = new Map();
    this.lastHourly = 0;
  }

  /** Everything from the API: figures of every queue, then their series. */
  async refresh() {
    const body = await get('api/queues');
    for (const q of body.queues) this.update(q);
    $('queues-note').textContent = body.overflowed
      ? `${count(body.overflowed)} lookups past the queue cap`
      : `${count(body.queues.length)} ${body.queues.length === 1 ? 'queue' : 'queues'}`;
    if (!body.queues.length) fill(this.el, h('p', { class: 'empty', text: 'No queues yet' }));
    await this.maybeHourly();
  }

  /** The hourly series when they are older than HOURLY_MS. */
  async maybeHourly() {
    if (Date.now() - this.lastHourly >= HOURLY_MS) await this.refreshHourly();
  }

  async refreshHourly() {
    this.lastHourly = Date.now();
    for (const name of this.cards.keys()) {
      const detail = await get(`api/queues/${encodeURIComponent(name)}`, { hours: 24 });
      this.hours.set(name, detail.hourly);
      this.update(detail);
    }
  }

  /** One queue's figures (a `queue:stats` event's data, or an API row). */
  update(s) {
    let card = this.cards.get(s.name);
    if (!card) {
      card = this.card(s.name);
      if (this.el.querySelector('.empty')) fill(this.el);
      this.cards.set(s.name, card);
      this.el.appendChild(card);
    }
    const set = (key, text) => {
      const f = card.querySelector(`[data-q="${key}"]`);
      if (f.textContent !== text) f.textContent = text;
    };
    for (const [key, , read] of NOW) set(key, read(s));
    const hourly = this.hours.get(s.name) || [];
    const hour = hourly.length ? hourly[hourly.length - 1] : null;
    for (const [key] of STEPS) {
      set(`h-${key}`, hour ? count(hour[key]) : '–');
      set(`d-${key}`, count(s.last_24h[key]));
    }
    const a = s.anomalies || {};
    const odd = [['refused', 'not tracked (cap)'], ['expired', 'expired'], ['unknown', 'unknown ids'], ['duplicates', 'duplicates']]
      .filter(([k]) => a[k]).map(([k, label]) => `${count(a[k])} ${label}`);
    set('anomalies', odd.join(' · '));
    set('at', `updated ${clock(s.timestamp)}`);
    card.dataset.dead = s.last_24h.dead_lettered ? 'yes' : 'no';
    if (this.hours.has(s.name)) this.chart(card.querySelector('.q-chart'), hourly);
  }

  card(name) {
    return h('article', { class: 'queue', data: { queue: name } },
      h('div', { class: 'q-head' },
        h('b', { class: 'q-name', text: name }),
        h('span', { class: 'muted', data: { q: 'at' } })),
      h('dl', { class: 'q-now' }, NOW.map(([key, label]) =>
        h('div', null, h('dt', { text: label }), h('dd', { data: { q: key } })))),
      h('table', { class: 'q-steps' },
        h('thead', null, h('tr', null, h('th', { text: '' }), STEPS.map(([key, label]) => h('th', { class: `q-${key}`, text: label })))),
        h('tbody', null,
          h('tr', null, h('th', { text: 'this hour' }), STEPS.map(([key]) => h('td', { data: { q: `h-${key}` } }))),
          h('tr', null, h('th', { text: '24 h' }), STEPS.map(([key]) => h('td', { data: { q: `d-${key}` } }))))),
      h('div', { class: 'q-chart', title: 'per hour, 24 h: sent, retried, failed and dead-lettered' }),
      h('div', { class: 'q-anomalies muted', data: { q: 'anomalies' } }));
  }

  /** 24 stacked bars: sent, retried, failed + dead letters. */
  chart(box, hourly) {
    const totals = hourly.map((x) => x.sent + x.retried + x.failed + x.dead_lettered);
    const top = Math.max(1, ...totals);
    const bars = hourly.map((x, i) => {
      const col = h('span', {
        class: 'q-bar',
        title: `${clock(x.timestamp)}: ${count(x.sent)} sent, ${count(x.retried)} retried, ${count(x.failed)} failed, ${count(x.dead_lettered)} dead letters`,
      });
      col.style.height = `${(totals[i] / top) * 100}%`;
      for (const [cls, v] of [['bad', x.failed + x.dead_lettered], ['warn', x.retried], ['ok', x.sent]]) {
        if (!v) continue;
        const seg = h('span', { class: `q-seg ${cls}` });
        seg.style.height = `${(v / totals[i]) * 100}%`;
        col.appendChild(seg);
      }
      return col;
    });
    fill(box, bars);
  }
}
