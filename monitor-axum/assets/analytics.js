// The analytics view: the four-week day × hour heatmap (operators: the
// route is theirs alone, as its counts are the whole host's) and the
// top-users table (everyone; a tenant sees its own users). Aggregates
// that move slowly: refreshed every few minutes, never per event.

import { $ } from './dom.js';
import { get } from './api.js';
import { renderHeatmap } from './heatmap.js';
import { TopUsers } from './topusers.js';

const HEATMAP_MS = 300000;
const TOP_USERS_MS = 60000;
const WEEKS = 4;

export class Analytics {
  constructor() {
    this.top = new TopUsers();
    this.me = {};
    this.stale();
  }

  /** Shows what `me` (/api/me) may read; everything loads on the next tick. */
  setMe(me) {
    this.me = me;
    $('heatmap-card').hidden = !me.sees_all;
    this.top.setMe(me);
    this.stale();
  }

  /** Forgets when it last loaded (after a restore, a new sign-in). */
  stale() {
    this.lastHeatmap = 0;
    this.lastTop = 0;
  }

  /** The admin's tenant filter: the table follows it at once. */
  setClient(client) {
    this.lastTop = Date.now();
    return this.top.setClient(client);
  }

  /** Whatever is older than its period, from the API. */
  tick() {
    const now = Date.now();
    const jobs = [];
    if (this.me.sees_all && now - this.lastHeatmap >= HEATMAP_MS) {
      this.lastHeatmap = now;
      jobs.push(this.heatmap());
    }
    if (now - this.lastTop >= TOP_USERS_MS) {
      this.lastTop = now;
      jobs.push(this.top.refresh());
    }
    return Promise.all(jobs);
  }

  async heatmap() {
    const body = await get('api/analytics/heatmap', { weeks: WEEKS });
    $('heatmap-range').textContent = `${body.weeks} weeks × hour of day · ${body.timezone}`;
    renderHeatmap($('heatmap'), body);
  }
}
