// The read-only panels: health banner, figure cards, live message feed,
// calls, agent runs. All data goes in as text.

import { $, h, fill, setField } from './dom.js';
import { count, short, ms, pct, span, clock, ago } from './format.js';
import { renderChanges } from './changes.js';

const TITLES = { healthy: 'All systems healthy', degraded: 'Degraded', critical: 'Critical', pending: 'Checking health…' };

/** The banner from a /health body (or a health:changed report). */
export function renderHealth(report) {
  const box = $('health');
  const status = report.status || 'pending';
  box.dataset.status = status;
  $('health-title').textContent = TITLES[status] || status;
  const problems = [];
  for (const [name, c] of Object.entries(report.checks || {})) {
    if (c.status === 'down' || c.status === 'degraded') problems.push(`${name} ${c.status}${c.detail ? ` (${c.detail})` : ''}`);
  }
  for (const [name, b] of Object.entries(report.heartbeats || {})) {
    if (b.status === 'down' || b.status === 'degraded') problems.push(`heartbeat ${name} ${b.status}`);
  }
  if (report.thresholds && report.thresholds.reason) problems.push(report.thresholds.reason);
  $('health-reason').textContent = problems.length ? problems.join(' · ') : `up ${span((report.uptime_seconds || 0) * 1000)}`;

  const badges = [];
  for (const [name, c] of Object.entries(report.checks || {})) {
    badges.push(badge(name, c.status, c.required ? 'required check' : 'external service',
      [c.detail, c.latency_ms != null ? ms(c.latency_ms) : null].filter(Boolean).join(' · ')));
  }
  for (const [name, b] of Object.entries(report.heartbeats || {})) {
    badges.push(badge(name, b.status, 'heartbeat', `${(b.uptime_percent ?? 0).toFixed(1)} % up`));
  }
  if (report.thresholds) {
    badges.push(badge('thresholds', report.thresholds.status === 'healthy' ? 'up' : report.thresholds.status,
      'error rate and p95 rules', report.thresholds.reason || 'within limits'));
  }
  fill($('health-badges'), badges);
}

function badge(name, status, kind, detail) {
  return h('li', { class: `badge s-${status}`, title: `${kind}: ${status}${detail ? ` — ${detail}` : ''}` },
    h('span', { class: 'bdot' }), h('span', { class: 'bname', text: name }), h('span', { class: 'bstate', text: status }));
}

/** Cards from /api/metrics (messages and users are null for tenants), with their change arrows. */
export function renderMetrics(m, limits) {
  const root = document;
  renderChanges(m);
  if (m.messages) renderMessageStats(m.messages.last_hour, m.messages.last_24h, m.messages.total, m.messages.p50, m.messages.p95, m.messages.p99, limits);
  if (m.users) renderUsers(m.users.active_now, m.users.active_today, m.users.active_this_week);
  const e = m.errors;
  setField(root, 'e-rate', e.error_rate_last_hour == null ? count(e.last_hour) : pct(e.error_rate_last_hour));
  setField(root, 'e-hour', count(e.last_hour));
  setField(root, 'e-open', count(e.unresolved_groups));
  $('card-errors').querySelector('.sub').textContent = e.error_rate_last_hour == null ? 'errors, last hour' : 'last hour';
  grade($('card-errors'), e.error_rate_last_hour, limits && limits.degraded_error_rate, limits && limits.critical_error_rate);
}

/** Cards from a metrics:update event (the collector's CurrentStats). */
export function renderCurrentStats(s, limits) {
  const m = s.messages;
  renderMessageStats(m.last_hour, m.last_24h, m.total, m.p50_ms, m.p95_ms, m.p99_ms, limits);
  renderUsers(s.users.active_now, s.users.active_today, s.users.active_this_week);
}

function renderMessageStats(hour, day, total, p50, p95, p99, limits) {
  setField(document, 'm-hour', count(hour));
  setField(document, 'm-24h', short(day));
  setField(document, 'm-total', short(total));
  setField(document, 'p95', ms(p95));
  setField(document, 'p50', ms(p50));
  setField(document, 'p99', ms(p99));
  grade($('card-p95'), p95, limits && limits.degraded_p95_ms, limits && limits.critical_p95_ms);
}

function renderUsers(now, today, week) {
  setField(document, 'u-now', count(now));
  setField(document, 'u-today', short(today));
  setField(document, 'u-week', short(week));
}

function grade(card, value, warn, crit) {
  let g = 'ok';
  if (value == null || warn == null) g = '';
  else if (value > crit) g = 'crit';
  else if (value > warn) g = 'warn';
  card.dataset.grade = g;
}

const FEED_MAX = 60;

/** The live message feed (newest first). */
export class Feed {
  constructor() {
    this.el = $('feed');
    this.seen = 0;
    this.missed = 0;
  }

  add(event, filter) {
    if (filter && event.client_id !== filter) return;
    const d = event.data || {};
    if (this.el.querySelector('.empty')) fill(this.el);
    this.seen += 1;
    const who = d.user_name || d.user_id || 'unknown';
    const item = h('li', { class: 'msg fresh' },
      h('div', { class: 'msg-head' },
        h('span', { class: 'msg-who', text: who }),
        event.client_id ? h('span', { class: 'tag', text: event.client_id }) : null,
        h('span', { class: 'msg-rt', text: ms(d.response_time_ms) }),
        h('time', { class: 'msg-time', text: clock(event.timestamp), dateTime: event.timestamp })),
      h('div', { class: 'msg-text', text: d.text == null ? '(text shown to operators only)' : d.text || '(empty)' }));
    this.el.prepend(item);
    setTimeout(() => item.classList.remove('fresh'), 1200);
    while (this.el.children.length > FEED_MAX) this.el.lastChild.remove();
    $('feed-count').textContent = `${count(this.seen)} received${this.missed ? ` · ${count(this.missed)} while paused` : ''}`;
  }

  skipped() {
    this.missed += 1;
    $('feed-count').textContent = `${count(this.seen)} received · ${count(this.missed)} while paused`;
  }

  clear(note) {
    fill(this.el, h('li', { class: 'empty', text: note }));
  }
}

/** Active and recent calls; phones arrive masked (`*******4567`) and stay so. */
export function renderCalls(active, recent, filter) {
  const mine = (c) => !filter || c.client_id === filter;
  active = active.filter(mine);
  recent = recent.filter(mine);
  $('calls-count').textContent = `${count(active.length)} active`;
  const now = Date.now();
  fill($('calls-active'), active.length ? active.map((c) => callItem(c, now, true)) : h('li', { class: 'empty', text: 'No active calls' }));
  fill($('calls-recent'), recent.length ? recent.slice(0, 8).map((c) => callItem(c, now, false)) : h('li', { class: 'empty', text: 'No recent calls' }));
}

function callItem(c, now, live) {
  const a = c.attributes || {};
  const took = live ? now - new Date(c.started_at).getTime() : c.duration_ms;
  const quality = c.labels && c.labels.quality;
  return h('li', { class: `call ${live ? 'live' : ''}` },
    h('span', { class: 'call-phone', text: a.phone || c.id }),
    h('span', { class: 'call-meta' },
      c.client_id ? h('span', { class: 'tag', text: c.client_id }) : null,
      c.category ? h('span', { class: 'muted', text: c.category }) : null,
      a.direction ? h('span', { class: 'muted', text: a.direction }) : null),
    h('span', { class: 'call-state' },
      live ? h('span', { class: 'pulse', title: 'in progress' }) : h('span', { class: `outcome o-${c.outcome || 'ended'}`, text: c.outcome || 'ended' }),
      quality ? h('span', { class: `quality q-${quality}`, text: quality }) : null,
      h('span', { class: 'call-dur', text: span(took) }),
      !live && c.ended_at ? h('span', { class: 'muted', text: ago(c.ended_at, now) }) : null));
}

/** The agent-run hierarchy from /api/activities/agent/tree. */
export function renderAgents(nodes, filter) {
  const mine = nodes.filter((n) => !filter || n.activity.client_id === filter);
  const active = mine.filter((n) => !n.activity.ended_at).length;
  $('agents-count').textContent = `${count(active)} running · ${count(mine.length - active)} recent`;
  fill($('agents'), mine.length ? mine.slice(0, 4).map(node) : h('li', { class: 'empty', text: 'No agent runs yet' }));
}

function node(n) {
  const a = n.activity;
  const done = !!a.ended_at;
  const pctv = done ? 100 : Math.max(0, Math.min(100, a.progress_pct || 0));
  const bar = h('span', { class: 'bar-fill' });
  bar.style.width = `${pctv}%`;
  return h('li', { class: `node ${done ? 'done' : 'running'}` },
    h('div', { class: 'node-row' },
      h('span', { class: 'node-name', text: a.category || a.kind }),
      h('span', { class: 'node-id muted', text: a.id }),
      a.client_id ? h('span', { class: 'tag', text: a.client_id }) : null,
      h('span', { class: 'bar', title: `${pctv.toFixed(0)} %` }, bar),
      h('span', { class: 'node-state', text: done ? (a.outcome || 'ended') : `${pctv.toFixed(0)} %${a.note ? ` · ${a.note}` : ''}` }),
      h('span', { class: 'muted', text: span(a.duration_ms) })),
    n.children && n.children.length ? h('ul', { class: 'tree' }, n.children.map(node)) : null);
}
