// The monitor's API as the page calls it: URLs relative to where the
// page is mounted (any prefix), the token as a bearer header, a 401 sent
// back to the sign-in form.

const KEY = 'monitor.token';

/** Where the router is mounted: the folder above this module's `assets/`. */
export const BASE = new URL('../', import.meta.url);

/** A URL under the router: `url('api/errors', {range: '1h'})`. */
export function url(path, params) {
  const u = new URL(path, BASE);
  for (const [k, v] of Object.entries(params || {})) {
    if (v !== undefined && v !== null && v !== '') u.searchParams.set(k, v);
  }
  return u;
}

/** The WebSocket URL (same host and prefix, ws: or wss:). */
export function wsUrl(channels) {
  const u = url('ws', { channels: channels.join(',') });
  u.protocol = u.protocol === 'https:' ? 'wss:' : 'ws:';
  return u;
}

/**
 * The token: from `#token=…` if the page was opened with one (kept in
 * sessionStorage, then the fragment is cleared from the address bar and
 * history), else the one kept earlier in this tab.
 */
export function takeToken() {
  const fragment = new URLSearchParams(location.hash.replace(/^#/, ''));
  const given = fragment.get('token');
  if (given) {
    sessionStorage.setItem(KEY, given);
    history.replaceState(null, '', location.pathname + location.search);
  }
  return sessionStorage.getItem(KEY);
}

export function setToken(token) {
  sessionStorage.setItem(KEY, token);
}

export function clearToken() {
  sessionStorage.removeItem(KEY);
}

export function token() {
  return sessionStorage.getItem(KEY);
}

/** A failed call: `status` (0 when the network failed) and the API's message. */
export class ApiError extends Error {
  constructor(status, code, message) {
    super(message || `HTTP ${status}`);
    this.status = status;
    this.code = code;
  }
}

let onUnauthorized = () => {};

/** What to do when any call answers 401 (the token is not, or no longer, valid). */
export function whenUnauthorized(fn) {
  onUnauthorized = fn;
}

/**
 * Sends a request and returns the parsed JSON, or throws ApiError.
 * `body` (a Blob, File or string) goes as is, with `type` as its
 * Content-Type (application/octet-stream by default).
 */
export async function call(path, { params, method = 'GET', raw = false, body, type } = {}) {
  let res;
  const headers = { Authorization: `Bearer ${token() || ''}`, Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = type || 'application/octet-stream';
  try {
    res = await fetch(url(path, params), {
      method,
      headers,
      body,
      cache: 'no-store',
      credentials: 'omit',
    });
  } catch (e) {
    throw new ApiError(0, 'network', 'the monitor cannot be reached');
  }
  if (res.status === 401) {
    onUnauthorized();
    throw new ApiError(401, 'unauthorized', 'the token was not accepted');
  }
  if (!res.ok) {
    let code = 'http', message = `HTTP ${res.status}`;
    try {
      const answer = await res.json();
      code = answer.error.code;
      message = answer.error.message;
    } catch (_) { /* not JSON */ }
    throw new ApiError(res.status, code, message);
  }
  return raw ? res : res.json();
}

export const get = (path, params) => call(path, { params });

/** A GET whose 404 (a family the host does not track) reads as an empty list. */
export async function optional(path) {
  try {
    return await get(path);
  } catch (e) {
    if (e.status === 404) return [];
    throw e;
  }
}

/** /health: its body both when healthy or degraded (200) and critical (503). */
export async function health() {
  try {
    return await call('health');
  } catch (e) {
    if (e.status !== 503) throw e;
    const res = await fetch(url('health'), { headers: { Authorization: `Bearer ${token() || ''}` }, cache: 'no-store' });
    return res.json();
  }
}
/** A POST without a body, or with `body` (see `call`). */
export const post = (path, body, type) => call(path, { method: 'POST', body, type });

/** Downloads an export (it needs the bearer header, so no plain link). */
export async function download(params) {
  const res = await call('api/export', { params, raw: true });
  await save(res, `monitor-${params.series}.${params.format}`);
}

/** Saves a response's body as a file, named as its Content-Disposition says. */
export async function save(res, fallback) {
  const blob = await res.blob();
  const disposition = res.headers.get('Content-Disposition') || '';
  const name = /filename="([^"]+)"/.exec(disposition)?.[1] || fallback;
  const link = document.createElement('a');
  link.href = URL.createObjectURL(blob);
  link.download = name;
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 10000);
  return { name, bytes: blob.size };
}
