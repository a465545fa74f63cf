// The operations centre: the queues panel for operators (admin and
// monitor tokens), and for admins the actions panel, the audit view and
// backup / restore. Tenants see none of it (the API refuses them too).

import { $ } from './dom.js';
import { QueuesPanel } from './queues.js';
import { ActionsPanel } from './actions.js';
import { AuditView } from './audit.js';
import { Backup } from './backup.js';

const AUDIT_MS = 15000;

export class Ops {
  /** `onRestored`: called after a restore replaced the monitor's state. */
  constructor(onRestored) {
    this.onRestored = onRestored;
    this.queues = null;
    this.actions = null;
    this.audit = null;
    this.backup = null;
    this.lastAudit = 0;
    this.me = {};
  }

  /** Shows what `me` (/api/me) may use, and sets it up. */
  setMe(me) {
    this.me = me;
    const admin = me.role === 'admin';
    $('queues-panel').hidden = !me.sees_all;
    for (const id of ['actions-panel', 'audit-panel', 'backup-panel']) $(id).hidden = !admin;
    if (me.sees_all) this.queues = this.queues || new QueuesPanel();
    if (admin) {
      this.audit = this.audit || new AuditView();
      this.actions = this.actions || new ActionsPanel(() => this.auditSoon());
      this.backup = this.backup || new Backup((restored) => {
        this.auditSoon();
        if (restored) this.onRestored();
      });
    }
  }

  /** Channels to subscribe to beside the page's own. */
  channels() {
    return this.me.sees_all ? ['queue'] : [];
  }

  get admin() {
    return this.me.role === 'admin';
  }

  /** Everything this role sees, from the API. */
  refresh() {
    const jobs = [];
    if (this.me.sees_all) jobs.push(this.queues.refresh());
    if (this.admin) {
      jobs.push(this.actions.refresh());
      this.lastAudit = Date.now();
      jobs.push(this.audit.refresh());
    }
    return Promise.all(jobs);
  }

  /** Every few seconds while the socket is up: what no event announces. */
  tick() {
    const jobs = [];
    if (this.me.sees_all) jobs.push(this.queues.maybeHourly());
    if (this.admin && Date.now() - this.lastAudit >= AUDIT_MS) {
      this.lastAudit = Date.now();
      jobs.push(this.audit.refresh());
    }
    return Promise.all(jobs);
  }

  /** The audit log, soon (something was just done). */
  auditSoon() {
    if (!this.admin) return;
    clearTimeout(this.auditTimer);
    this.auditTimer = setTimeout(() => { this.lastAudit = Date.now(); this.audit.refresh(); }, 300);
  }

  /** A `queue:*` event; true when it was one. */
  onQueueEvent(msg) {
    if (!(msg.type || '').startsWith('queue:')) return false;
    if (msg.type === 'queue:stats' && this.queues && this.me.sees_all) this.queues.update(msg.data);
    return true;
  }

  /** An `action:started|progress|ended` event. */
  onAction(stage, activity) {
    if (this.admin) this.actions.onEvent(stage, activity);
  }
}
