// The top-users table: the heaviest ten users of the last 24 hours or
// 7 days (/api/analytics/top-users), for everyone or one tenant. A tenant
// token gets its own tenant's users whatever it asks (the route scopes it).

import { $, h, fill } from './dom.js';
import { count, dayTime } from './format.js';
import { get } from './api.js';

const LIMIT = 10;

export class TopUsers {
  constructor() {
    this.el = $('top-users');
    this.window = '24h';
    this.client = '';
    this.seesAll = false;
    this.pending = null;
    for (const b of document.querySelectorAll('#top-window button')) {
      b.addEventListener('click', () => this.pick(b.dataset.window));
    }
  }

  /** Operators see a tenant column and may narrow to one tenant. */
  setMe(me) {
    this.seesAll = me.sees_all;
    this.client = '';
    this.el.dataset.tenants = this.seesAll ? 'yes' : 'no';
  }

  /** The admin's tenant filter ('' for everyone). */
  setClient(client) {
    this.client = this.seesAll ? client : '';
    return this.refresh();
  }

  pick(window) {
    if (window === this.window) return;
    this.window = window;
    for (const b of document.querySelectorAll('#top-window button')) {
      b.setAttribute('aria-pressed', String(b.dataset.window === window));
    }
    this.refresh().catch((e) => console.warn('monitor:', e.message || e));
  }

  /** Loads and draws the table; a newer call wins over an older one. */
  async refresh() {
    const asked = { window: this.window, limit: LIMIT, client_id: this.client };
    const call = get('api/analytics/top-users', asked);
    this.pending = call;
    const body = await call;
    if (this.pending !== call) return;
    this.draw(body);
  }

  draw(body) {
    const scope = body.client_id ? `tenant ${body.client_id}` : 'all tenants';
    $('top-users-note').textContent = `${scope} · ${count(body.total_messages)} messages since ${dayTime(body.from)}`;
    this.el.dataset.window = body.window;
    this.el.dataset.client = body.client_id || '';
    const rows = body.users.map((u, i) => h('tr', { data: { user: u.user_id, client: u.client_id || '' } },
      h('td', { class: 'tu-rank', text: String(i + 1) }),
      h('td', { class: 'tu-user' },
        h('span', { class: 'tu-name', text: u.user_name || u.user_id }),
        h('span', { class: 'tu-id muted', text: u.user_id })),
      this.seesAll ? h('td', { class: 'tu-tenant' }, u.client_id ? h('span', { class: 'tag', text: u.client_id }) : '–') : null,
      h('td', { class: 'tu-count' },
        h('span', { class: 'tu-n', text: count(u.count) }),
        u.max_overcount ? h('span', {
          class: 'tu-over muted',
          text: ` ±${count(u.max_overcount)}`,
          title: `at most ${count(u.max_overcount)} above the true count (a bounded-memory count)`,
        }) : null)));
    const head = h('tr', null,
      h('th', { text: '#' }), h('th', { text: 'User' }),
      this.seesAll ? h('th', { text: 'Tenant' }) : null,
      h('th', { class: 'tu-count', text: 'Messages' }));
    const table = this.el.querySelector('table');
    fill(table,
      h('thead', null, head),
      h('tbody', null, rows.length ? rows : h('tr', null, h('td', { class: 'empty', colSpan: 4, text: 'No messages in this window' }))));
  }
}
