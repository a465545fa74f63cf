// The error log browser: filters (time range, service, type, severity,
// client, state, search), sort, paging, resolve (admin) and acknowledge
// (admin or the error's tenant), exports.

import { $, h, fill, toast } from './dom.js';
import { count, clock, ago } from './format.js';
import { get, post, download } from './api.js';

const LIMIT = 25;

export class ErrorBrowser {
  /** `onChange`: called after an action changed the log. */
  constructor(onChange) {
    this.me = {};
    this.onChange = onChange;
    this.form = $('error-filters');
    this.offset = 0;
    this.total = 0;
    this.client = '';
    this.loading = null;
    this.again = false;
    let typing = null;
    this.form.addEventListener('change', () => this.reset());
    this.form.addEventListener('input', (ev) => {
      if (ev.target.tagName !== 'INPUT') return;
      clearTimeout(typing);
      typing = setTimeout(() => this.reset(), 300);
    });
    this.form.addEventListener('submit', (ev) => { ev.preventDefault(); this.reset(); });
    $('errors-prev').addEventListener('click', () => { this.offset = Math.max(0, this.offset - LIMIT); this.load(); });
    $('errors-next').addEventListener('click', () => { this.offset += LIMIT; this.load(); });
  }

  /** Who is signed in (/api/me): what they may filter, do and export. */
  setMe(me) {
    this.me = me;
    this.client = '';
    this.form.elements.client.value = '';
    $('error-client-wrap').hidden = !me.sees_all;
    this.renderExports();
  }

  /** The query the filters describe (without paging). */
  query() {
    const f = new FormData(this.form);
    const q = {};
    for (const key of ['range', 'service', 'type', 'severity', 'resolved', 'sort', 'q']) {
      const v = (f.get(key) || '').toString().trim();
      if (v) q[key] = v;
    }
    if (this.me.sees_all && this.client) q.client = this.client;
    return q;
  }

  setClient(client) {
    this.client = client;
    this.form.elements.client.value = client;
    this.reset();
  }

  reset() {
    const picked = this.form.elements.client.value;
    if (picked !== this.client) {
      this.client = picked;
      this.form.dispatchEvent(new CustomEvent('clientpicked', { detail: picked, bubbles: true }));
    }
    this.offset = 0;
    this.load();
  }

  /** Loads the current page; calls that overlap are folded into one more. */
  async load() {
    if (this.loading) { this.again = true; return this.loading; }
    this.loading = (async () => {
      try {
        const page = await get('api/errors', { ...this.query(), limit: LIMIT, offset: this.offset });
        this.render(page);
      } catch (e) {
        if (e.status !== 401) fill($('errors'), h('li', { class: 'empty', text: `Could not load errors: ${e.message}` }));
      }
    })();
    await this.loading;
    this.loading = null;
    if (this.again) { this.again = false; await this.load(); }
  }

  render(page) {
    this.total = page.total;
    $('errors-total').textContent = `${count(page.total)} matching`;
    const from = page.total ? this.offset + 1 : 0;
    const to = this.offset + page.errors.length;
    $('errors-page').textContent = page.total ? `${count(from)}–${count(to)} of ${count(page.total)}` : '';
    $('errors-prev').disabled = this.offset === 0;
    $('errors-next').disabled = to >= page.total;
    const now = Date.now();
    fill($('errors'), page.errors.length
      ? page.errors.map((e) => this.item(e, now))
      : h('li', { class: 'empty', text: 'No errors match these filters' }));
  }

  item(e, now) {
    const actions = [];
    const open = e.status !== 'resolved';
    if (this.me.can_acknowledge && open && !e.acknowledged) {
      actions.push(h('button', { type: 'button', class: 'btn small', text: 'Acknowledge', onclick: () => this.act(e, 'acknowledge') }));
    }
    if (this.me.can_resolve && open) {
      actions.push(h('button', { type: 'button', class: 'btn small primary', text: 'Resolve', onclick: () => this.act(e, 'resolve') }));
    }
    const state = e.status === 'resolved' ? 'resolved' : e.acknowledged ? 'acknowledged' : e.status;
    return h('li', { class: `err sev-${e.severity}`, data: { id: String(e.id) } },
      h('div', { class: 'err-body' }, h('div', { class: 'err-head' },
        h('span', { class: `sev sev-${e.severity}`, text: e.severity }),
        h('span', { class: 'err-where' }, h('b', { text: e.service }), ' · ', e.operation),
        h('span', { class: 'err-type', text: e.error_type }),
        e.client_id ? h('span', { class: 'tag', text: e.client_id }) : null,
        e.occurrences > 1 ? h('span', { class: 'muted', text: `×${count(e.occurrences)}`, title: 'occurrences in this group' }) : null,
        h('span', { class: `state st-${state}`, text: state }),
        h('time', { class: 'err-time', dateTime: e.timestamp, title: e.timestamp, text: `${clock(e.timestamp)} · ${ago(e.timestamp, now)}` })),
      h('div', { class: 'err-msg', text: e.message })),
      h('div', { class: 'err-actions' }, actions));
  }

  async act(e, action) {
    try {
      await post(`api/errors/${encodeURIComponent(e.id)}/${action}`);
      toast(`${e.error_type} ${action === 'resolve' ? 'resolved' : 'acknowledged'}`, 'ok');
      this.load();
      this.onChange();
    } catch (err) {
      if (err.status !== 401) toast(`Could not ${action}: ${err.message}`, 'bad');
    }
  }

  /** The services in /api/errors/stats, as options of the service filter. */
  setServices(byService) {
    const select = this.form.elements.service;
    const current = select.value;
    const names = byService.map((s) => s.service);
    if (current && !names.includes(current)) names.push(current);
    const have = [...select.options].slice(1).map((o) => o.value);
    if (have.join('\n') === names.join('\n')) return;
    fill(select, h('option', { value: '', text: 'Any' }), names.map((n) => h('option', { value: n, text: n })));
    select.value = current;
  }

  renderExports() {
    const items = [
      h('span', { class: 'muted', text: 'Export' }),
      this.exportButton('errors CSV', 'errors', 'csv'),
      this.exportButton('JSON', 'errors', 'json'),
    ];
    if (this.me.sees_all) {
      items.push(this.exportButton('hourly CSV', 'hourly', 'csv'), this.exportButton('daily CSV', 'daily', 'csv'));
    }
    fill($('exports'), items);
  }

  exportButton(label, series, format) {
    return h('button', {
      type: 'button', class: 'btn small ghost', text: label,
      onclick: () => {
        const params = series === 'errors'
          ? { series, format, ...this.query(), limit: 500 }
          : { series, format, ...(series === 'hourly' ? { hours: 168 } : { days: 30 }) };
        download(params).catch((e) => toast(`Export failed: ${e.message}`, 'bad'));
      },
    });
  }
}
