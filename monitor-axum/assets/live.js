// The live feed: /ws with the token as the first frame, reconnecting
// with exponential backoff and jitter. While it is down the page polls
// (the app reads `state`), so nothing goes stale.

import { token, wsUrl } from './api.js';

const MAX_DELAY = 30000;
const AUTH_WAIT = 6000;

export class Live {
  /**
   * @param channels  bus channels to subscribe to
   * @param onEvent   called with each event envelope {type, data, timestamp, client_id}
   * @param onState   called with 'connecting' | 'live' | 'down', and the retry delay in ms
   * @param onRefused called when the server closed for a bad token (1008)
   */
  constructor({ channels, onEvent, onState, onRefused }) {
    Object.assign(this, { channels, onEvent, onState, onRefused });
    this.attempts = 0;
    this.ws = null;
    this.retry = null;
    this.stopped = true;
    this.state = 'down';
  }

  start() {
    this.stopped = false;
    this.connect();
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.retry);
    if (this.ws) this.ws.close(1000);
    this.ws = null;
  }

  setState(state, delay) {
    this.state = state;
    this.onState(state, delay);
  }

  connect() {
    clearTimeout(this.retry);
    if (this.stopped) return;
    this.setState('connecting');
    let ws;
    try {
      ws = new WebSocket(wsUrl(this.channels));
    } catch (_) {
      this.scheduleRetry();
      return;
    }
    this.ws = ws;
    const authTimer = setTimeout(() => ws.close(), AUTH_WAIT);
    ws.onopen = () => ws.send(JSON.stringify({ type: 'auth', token: token() || '' }));
    ws.onmessage = (ev) => {
      let msg;
      try { msg = JSON.parse(ev.data); } catch (_) { return; }
      if (msg.type === 'authenticated') {
        clearTimeout(authTimer);
        this.attempts = 0;
        this.setState('live');
        return;
      }
      this.onEvent(msg);
    };
    ws.onclose = (ev) => {
      clearTimeout(authTimer);
      if (this.ws !== ws) return;
      this.ws = null;
      if (this.stopped) return;
      if (ev.code === 1008) this.onRefused();
      this.scheduleRetry();
    };
  }

  scheduleRetry() {
    if (this.stopped) return;
    const base = Math.min(MAX_DELAY, 1000 * 2 ** this.attempts);
    const delay = Math.round(base / 2 + Math.random() * base / 2);
    this.attempts += 1;
    this.setState('down', delay);
    this.retry = setTimeout(() => this.connect(), delay);
  }
}
