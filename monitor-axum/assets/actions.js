// The actions panel (admins): the host's operator actions with a Run
// button, each run in progress with its progress bar, note and current
// step (live from `action:started|progress|ended` on the calls channel),
// and the last outcomes. A start refused because a run is in progress
// (409) says "already running".

import { $, h, fill, toast } from './dom.js';
import { count, span, clock, ago } from './format.js';
import { get, post } from './api.js';

const LAST = 3;
const RESULTS = { succeeded: 'succeeded', failed: 'failed', panicked: 'crashed', timed_out: 'timed out', cancelled: 'cancelled' };

export class ActionsPanel {
  /** `onChange`: called when a run started or ended (the audit log grew). */
  constructor(onChange) {
    this.el = $('actions');
    this.onChange = onChange;
    this.actions = [];
    this.mine = new Set();
    this.notes = new Map();
    this.loading = null;
    this.again = false;
  }

  /** /api/actions, then the list drawn again; calls that overlap are folded into one more. */
  async refresh() {
    if (this.loading) { this.again = true; return this.loading; }
    this.loading = (async () => {
      try {
        const body = await get('api/actions');
        this.actions = body.actions;
        this.render();
      } finally {
        this.loading = null;
      }
      if (this.again) { this.again = false; await this.refresh(); }
    })();
    return this.loading;
  }

  /** Whether any run is in progress (the page polls while one is and the socket is down). */
  busy() {
    return this.actions.some((a) => a.running.length);
  }

  render() {
    const running = this.actions.reduce((n, a) => n + a.running.length, 0);
    $('actions-count').textContent = `${count(this.actions.length)} actions · ${count(running)} running`;
    const now = Date.now();
    fill(this.el, this.actions.length
      ? this.actions.map((a) => this.item(a, now))
      : h('li', { class: 'empty', text: 'The host registered no actions' }));
  }

  item(a, now) {
    const c = a.counts;
    const tally = [`${count(c.started)} started`, `${count(c.succeeded)} succeeded`];
    for (const [key, label] of [['failed', 'failed'], ['panicked', 'crashed'], ['timed_out', 'timed out'], ['cancelled', 'cancelled'], ['refused', 'refused']]) {
      if (c[key]) tally.push(`${count(c[key])} ${label}`);
    }
    return h('li', { class: 'action', data: { action: a.name } },
      h('div', { class: 'act-head' },
        h('div', { class: 'act-title' },
          h('b', { class: 'act-name', text: a.name }),
          h('span', { class: 'act-desc muted', text: a.description })),
        h('button', { type: 'button', class: 'btn small primary', text: 'Run', onclick: () => this.run(a.name) })),
      this.note(a.name),
      a.running.length ? h('ul', { class: 'runs' }, a.running.map((r) => this.running(r))) : null,
      a.last.length
        ? h('ul', { class: 'runs last' }, a.last.slice(0, LAST).map((r) => this.ended(r, now)))
        : h('p', { class: 'muted small', text: 'Not run yet' }),
      h('p', { class: 'act-counts muted', text: tally.join(' · ') }));
  }

  /** The line under an action's name: what its last Run press came to. */
  note(name) {
    const n = this.notes.get(name);
    return h('p', { class: 'act-msg', role: 'status', text: n ? n.text : '', data: { kind: n ? n.kind : '' } });
  }

  /** Shows `text` under the action's name for a while. */
  say(name, text, kind) {
    const old = this.notes.get(name);
    if (old) clearTimeout(old.timer);
    const timer = setTimeout(() => { this.notes.delete(name); this.paint(name); }, 10000);
    this.notes.set(name, { text, kind, timer });
    this.paint(name);
  }

  /** Drops the note under `name` ("Started …", "Already running …"): its run is over. */
  forget(name) {
    const old = this.notes.get(name);
    if (!old) return;
    clearTimeout(old.timer);
    this.notes.delete(name);
    this.paint(name);
  }

  paint(name) {
    const msg = this.el.querySelector(`li.action[data-action="${CSS.escape(name)}"] .act-msg`);
    if (!msg) return;
    const n = this.notes.get(name);
    msg.textContent = n ? n.text : '';
    msg.dataset.kind = n ? n.kind : '';
  }

  running(r) {
    const fillEl = h('span', { class: 'bar-fill' });
    const row = h('li', { class: 'run running', data: { run: r.run_id } },
      h('span', { class: 'pulse', title: 'running' }),
      h('span', { class: 'bar' }, fillEl),
      h('span', { class: 'run-state' }),
      h('span', { class: 'run-step muted' }),
      h('span', { class: 'run-meta muted', text: `${who(r.requested_by)} · started ${clock(r.started_at)}` }));
    this.progress(row, r.progress_pct || 0, r.note);
    return row;
  }

  ended(r, now) {
    const result = r.result || 'ended';
    return h('li', { class: `run done r-${result}`, data: { run: r.run_id, result } },
      h('span', { class: `outcome o-${result}`, text: RESULTS[result] || result }),
      h('span', { class: 'run-msg', text: r.message || '' }),
      h('span', { class: 'run-meta muted', text: `${who(r.requested_by)} · ${clock(r.ended_at)} (${ago(r.ended_at, now)}) · took ${span(r.duration_ms)}` }));
  }

  progress(row, pct, note) {
    const p = Math.max(0, Math.min(100, pct || 0));
    row.querySelector('.bar-fill').style.width = `${p}%`;
    row.querySelector('.bar').title = `${p.toFixed(0)} %`;
    row.querySelector('.run-state').textContent = `${p.toFixed(0)} %${note ? ` · ${note}` : ''}`;
  }

  /** An `action:*` event: `stage` is started, progress or ended; `a` the activity. */
  onEvent(stage, a) {
    const runId = a.parent || a.id;
    const row = this.el.querySelector(`li.run.running[data-run="${CSS.escape(runId)}"]`);
    if (a.parent) {
      if (!row) return;
      const name = a.id.slice(a.parent.length + 1);
      row.querySelector('.run-step').textContent = stage === 'ended'
        ? `${name} done`
        : `${name}${a.note ? `: ${a.note}` : a.progress_pct != null ? `: ${a.progress_pct.toFixed(0)} %` : ''}`;
      return;
    }
    if (stage === 'progress' && row) {
      this.progress(row, a.progress_pct, a.note);
      return;
    }
    if (stage === 'ended') this.forget(a.category);
    if (stage === 'ended' && this.mine.delete(a.id)) {
      const kind = a.outcome === 'succeeded' ? 'ok' : 'bad';
      toast(`${a.category}: ${RESULTS[a.outcome] || a.outcome}${a.note ? ` · ${a.note}` : ''}`, kind);
    }
    this.refresh().catch(() => {});
    if (stage !== 'progress') this.onChange();
  }

  async run(name) {
    this.say(name, 'Starting…', 'info');
    try {
      const started = await post(`api/actions/${encodeURIComponent(name)}/run`);
      this.mine.add(started.run_id);
      this.say(name, `Started ${started.run_id}`, 'ok');
      await this.refresh();
    } catch (e) {
      if (e.status === 401) return;
      if (e.status === 409) {
        const run = /\(run ([^)]+)\)/.exec(e.message);
        this.say(name, run ? `Already running (${run[1]})` : `Already running: ${e.message}`, 'warn');
      }
      else this.say(name, `Could not start: ${e.message}`, 'bad');
    }
    this.onChange();
  }
}

function who(actor) {
  if (!actor) return 'someone';
  return actor.tenant ? `${actor.role}:${actor.tenant}` : actor.role;
}
