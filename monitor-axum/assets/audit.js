// The audit view (admins): who did what, to what, when and how it ended,
// newest first, filtered by family and outcome, paged. It reloads when
// this page changed something and every so often.

import { $, h, fill } from './dom.js';
import { count, clock, ago } from './format.js';
import { get } from './api.js';

const LIMIT = 15;

export class AuditView {
  constructor() {
    this.el = $('audit');
    this.form = $('audit-filters');
    this.offset = 0;
    this.loading = null;
    this.again = false;
    this.form.addEventListener('change', () => { this.offset = 0; this.refresh(); });
    this.form.addEventListener('submit', (ev) => ev.preventDefault());
    $('audit-prev').addEventListener('click', () => { this.offset = Math.max(0, this.offset - LIMIT); this.refresh(); });
    $('audit-next').addEventListener('click', () => { this.offset += LIMIT; this.refresh(); });
  }

  /** The current page; calls that overlap are folded into one more. */
  async refresh() {
    if (this.loading) { this.again = true; return this.loading; }
    this.loading = (async () => {
      try {
        const f = new FormData(this.form);
        const page = await get('api/audit', {
          action: f.get('action'), outcome: f.get('outcome'), limit: LIMIT, offset: this.offset,
        });
        this.render(page);
      } catch (e) {
        if (e.status !== 401) fill(this.el, h('li', { class: 'empty', text: `Could not load the audit log: ${e.message}` }));
      } finally {
        this.loading = null;
      }
      if (this.again) { this.again = false; await this.refresh(); }
    })();
    return this.loading;
  }

  render(page) {
    const to = this.offset + page.entries.length;
    $('audit-total').textContent = `${count(page.total)} entries${page.evicted ? ` · ${count(page.evicted)} older evicted (keeps ${count(page.capacity)})` : ''}`;
    $('audit-page').textContent = page.total ? `${count(this.offset + 1)}–${count(to)} of ${count(page.total)}` : '';
    $('audit-prev').disabled = this.offset === 0;
    $('audit-next').disabled = to >= page.total;
    const now = Date.now();
    fill(this.el, page.entries.length
      ? page.entries.map((e) => entry(e, now))
      : h('li', { class: 'empty', text: 'Nothing recorded yet' }));
  }
}

function entry(e, now) {
  const who = e.actor.tenant ? `${e.actor.role}:${e.actor.tenant}` : e.actor.role;
  const why = [e.reason, e.detail].filter(Boolean).join(' · ');
  return h('li', { class: `audit-entry a-${e.outcome}`, data: { id: String(e.id), action: e.action, outcome: e.outcome } },
    h('time', { class: 'audit-time', dateTime: e.at, title: e.at, text: `${clock(e.at)} · ${ago(e.at, now)}` }),
    h('span', { class: 'tag audit-who', text: who }),
    h('span', { class: 'audit-what' }, h('code', { text: e.action }), e.target ? h('span', { class: 'audit-target', text: ` ${e.target}` }) : null),
    h('span', { class: `audit-outcome o-${e.outcome}`, text: e.outcome }),
    why ? h('span', { class: 'audit-why muted', text: why }) : null);
}
