// The dashboard: sign-in, then panels fed by /ws events, with polling
// while the socket is down and a slower refresh of aggregates always.

import * as api from './api.js';
import { $, h, fill, toast } from './dom.js';
import { clock } from './format.js';
import { Live } from './live.js';
import { Charts } from './charts.js';
import { Analytics } from './analytics.js';
import { renderHealth, renderMetrics, renderCurrentStats, Feed, renderCalls, renderAgents } from './panels.js';
import { ErrorBrowser } from './errors.js';
import { Ops } from './ops.js';

const CHANNELS = ['metrics', 'messages', 'errors', 'calls', 'health'];
const POLL_MS = 5000;
const SUMMARY_MS = 15000;
const SERIES_MS = 30000;
const RECENT_CALLS = 20;

const S = {
  me: null, live: null, errors: null, charts: null, feed: null, ops: null, analytics: null,
  paused: false, client: '', limits: null, timers: [], clients: new Set(),
  calls: { active: new Map(), recent: [] }, soon: {}, lastSummary: 0, lastSeries: 0,
};

function later(name, ms, fn) {
  if (S.soon[name]) return;
  S.soon[name] = setTimeout(() => { S.soon[name] = null; fn(); }, ms);
}

const quiet = (p) => p.catch((e) => {
  if (e && e.status !== 401) console.warn('monitor:', e.message || e);
});

// --- sign-in ---------------------------------------------------------------

function showLogin(message) {
  stop();
  $('dash').hidden = true;
  $('tools').hidden = true;
  $('login').hidden = false;
  $('login-error').textContent = message || '';
  setConn('off', 'Signed out');
  $('token-input').value = '';
  $('token-input').focus();
}

$('login-form').addEventListener('submit', (ev) => {
  ev.preventDefault();
  const value = $('token-input').value.trim();
  if (!value) return;
  api.setToken(value);
  start();
});

$('signout').addEventListener('click', () => {
  api.clearToken();
  showLogin('Signed out. The token was removed from this tab.');
});

api.whenUnauthorized(() => {
  api.clearToken();
  showLogin('That token was not accepted. Paste a valid one.');
});

// --- start and stop --------------------------------------------------------

async function start() {
  stop();
  setConn('connecting', 'Connecting…');
  let me;
  try {
    me = await api.get('api/me');
  } catch (e) {
    if (e.status === 401) return;
    setConn('off', 'Monitor unreachable · retrying');
    S.timers.push(setTimeout(start, 3000));
    return;
  }
  S.me = me;
  $('login').hidden = true;
  $('dash').hidden = false;
  $('tools').hidden = false;
  $('role').textContent = me.role === 'client' ? `tenant ${me.client_id}` : me.role;
  $('role').dataset.role = me.role;
  $('client-filter-wrap').hidden = !me.sees_all;
  $('tenant-note').hidden = me.sees_all;
  for (const id of ['card-messages', 'card-users', 'card-p95', 'charts']) $(id).hidden = !me.sees_all;

  S.errors = S.errors || new ErrorBrowser(() => later('summary', 300, () => quiet(refreshSummary())));
  S.errors.setMe(me);
  S.client = '';
  $('client-filter').value = '';
  S.charts = me.sees_all ? (S.charts || new Charts()) : null;
  S.feed = S.feed || new Feed();
  if (!me.sees_all) S.feed.clear('Waiting for your messages… (texts are shown to operators only)');
  S.analytics = S.analytics || new Analytics();
  S.analytics.setMe(me);
  S.ops = S.ops || new Ops(() => { S.analytics.stale(); refreshAll(); });
  S.ops.setMe(me);
  S.live = new Live({ channels: [...CHANNELS, ...S.ops.channels()], onEvent, onState: liveState, onRefused: () => quiet(api.get('api/me')) });
  S.live.start();
  refreshAll();
  S.timers.push(setInterval(tick, POLL_MS));
  S.timers.push(setInterval(() => { if (!S.paused) drawCalls(); }, 1000));
}

function stop() {
  if (S.live) S.live.stop();
  S.live = null;
  S.me = null;
  for (const t of S.timers) { clearInterval(t); clearTimeout(t); }
  S.timers = [];
}

// --- refreshing ------------------------------------------------------------

function refreshAll() {
  // The series wait for the summary: it brings the threshold limits.
  const summary = refreshSummary();
  quiet(summary);
  quiet(summary.catch(() => {}).then(refreshSeries));
  quiet(S.errors.load());
  quiet(refreshCalls());
  quiet(refreshAgents());
  quiet(S.ops.refresh());
  quiet(S.analytics.tick());
}

/** Every POLL_MS: everything while the socket is down, aggregates now and then while it is up. */
function tick() {
  if (S.paused || !S.me) return;
  const now = Date.now();
  if (!S.live || S.live.state !== 'live') {
    refreshAll();
    return;
  }
  if (now - S.lastSummary >= SUMMARY_MS) quiet(refreshSummary());
  if (now - S.lastSeries >= SERIES_MS) quiet(refreshSeries());
  quiet(S.ops.tick());
  quiet(S.analytics.tick());
}

async function refreshSummary() {
  S.lastSummary = Date.now();
  const [health, metrics] = await Promise.all([api.health(), api.get('api/metrics')]);
  S.limits = health.thresholds && health.thresholds.limits;
  renderHealth(health);
  renderMetrics(metrics, S.limits);
  stamp();
}

async function refreshSeries() {
  S.lastSeries = Date.now();
  const stats = await api.get('api/errors/stats');
  S.errors.setServices(stats.by_service || []);
  if (!S.me || !S.me.sees_all) return;
  const hourly = await api.get('api/metrics/hourly', { hours: 168 });
  S.charts.setSeries(hourly, S.limits);
  S.charts.setErrorRate(stats.hourly || [], S.limits, hourly);
}

async function refreshCalls() {
  const [active, recent] = await Promise.all([api.optional('api/activities/call/active'), api.optional('api/activities/call/recent')]);
  S.calls.active = new Map(active.map((c) => [c.id, c]));
  S.calls.recent = recent;
  for (const c of [...active, ...recent]) noteClient(c.client_id);
  drawCalls();
}

async function refreshAgents() {
  renderAgents(await api.optional('api/activities/agent/tree'), S.client);
}

function drawCalls() {
  const active = [...S.calls.active.values()].sort((a, b) => (a.started_at < b.started_at ? 1 : -1));
  renderCalls(active, S.calls.recent, S.client);
}

function stamp() {
  $('updated').textContent = `Updated ${clock(new Date().toISOString())}`;
}

// --- live events -----------------------------------------------------------

function onEvent(msg) {
  if (S.paused) {
    if (msg.type === 'message:new') S.feed.skipped();
    return;
  }
  if (S.ops.onQueueEvent(msg)) return;
  noteClient(msg.client_id);
  switch (msg.type) {
    case 'metrics:update':
      renderCurrentStats(msg.data, S.limits);
      stamp();
      return;
    case 'message:new':
      S.feed.add(msg, S.client);
      return;
    case 'error:logged':
    case 'error:resolved':
    case 'error:acknowledged':
      later('errors', 400, () => quiet(S.errors.load()));
      later('summary', 3000, () => quiet(refreshSummary()));
      return;
    case 'error:critical':
      return;
    case 'health:changed':
      if (msg.data && msg.data.report) renderHealth(msg.data.report);
      return;
    case 'lagged':
      refreshAll();
      return;
    case 'error':
      console.warn('monitor ws:', msg.data && msg.data.message);
      return;
    default:
  }
  const m = /^([^:]+):(started|progress|ended)$/.exec(msg.type || '');
  if (!m) return;
  if (m[1] === 'call') {
    const c = msg.data;
    if (m[2] === 'ended') {
      S.calls.active.delete(c.id);
      S.calls.recent = [c, ...S.calls.recent.filter((r) => r.id !== c.id)].slice(0, RECENT_CALLS);
    } else {
      S.calls.active.set(c.id, c);
    }
    later('calls', 250, drawCalls);
  } else if (m[1] === 'agent') {
    later('agents', 1000, () => quiet(refreshAgents()));
  } else if (m[1] === 'action') {
    S.ops.onAction(m[2], msg.data);
  }
}

function liveState(state, delay) {
  if (S.paused) return;
  if (state === 'live') setConn('live', 'Live');
  else if (state === 'connecting') setConn('connecting', 'Connecting…');
  else setConn('polling', `Polling · reconnecting in ${Math.ceil((delay || 0) / 1000)} s`);
}

function setConn(kind, text) {
  $('conn').dataset.state = kind;
  $('conn-text').textContent = text;
}

// --- client filter and pause -----------------------------------------------

function noteClient(id) {
  if (!id || S.clients.has(id) || !S.me || !S.me.sees_all) return;
  S.clients.add(id);
  const names = [...S.clients].sort();
  for (const select of [$('client-filter'), $('error-filters').elements.client]) {
    const value = select.value;
    fill(select, h('option', { value: '', text: 'All tenants' }), names.map((n) => h('option', { value: n, text: n })));
    select.value = value;
  }
}

function pickClient(client) {
  S.client = client;
  $('client-filter').value = client;
  S.feed.clear(client ? `Waiting for ${client}'s messages…` : 'Waiting for messages…');
  drawCalls();
  quiet(refreshAgents());
  quiet(S.analytics.setClient(client));
}

$('client-filter').addEventListener('change', (ev) => {
  pickClient(ev.target.value);
  S.errors.setClient(ev.target.value);
});

$('error-filters').addEventListener('clientpicked', (ev) => pickClient(ev.detail));

$('pause').addEventListener('click', () => {
  S.paused = !S.paused;
  const b = $('pause');
  b.textContent = S.paused ? 'Resume' : 'Pause';
  b.setAttribute('aria-pressed', String(S.paused));
  document.body.classList.toggle('paused', S.paused);
  if (S.paused) {
    setConn('paused', 'Paused');
    toast('Paused: the page keeps its place; live updates resume when you press Resume.');
  } else {
    if (S.live) liveState(S.live.state);
    refreshAll();
  }
});

// --- boot --------------------------------------------------------------------

if (api.takeToken()) start();
else showLogin();
