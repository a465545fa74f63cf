// Numbers, durations and times as an operator reads them.

const nf = new Intl.NumberFormat(undefined);

/** 1234567 → "1,234,567"; null → "–". */
export function count(n) {
  return n === null || n === undefined ? '–' : nf.format(n);
}

/** 1234567 → "1.23 M". */
export function short(n) {
  if (n === null || n === undefined) return '–';
  const a = Math.abs(n);
  if (a >= 1e9) return (n / 1e9).toFixed(2) + ' B';
  if (a >= 1e6) return (n / 1e6).toFixed(2) + ' M';
  if (a >= 1e4) return (n / 1e3).toFixed(1) + ' k';
  return nf.format(Math.round(n));
}

/** Milliseconds: "245 ms", "1.2 s". */
export function ms(v) {
  if (v === null || v === undefined || !isFinite(v)) return '–';
  if (v >= 10000) return (v / 1000).toFixed(0) + ' s';
  if (v >= 1000) return (v / 1000).toFixed(1) + ' s';
  if (v >= 10) return Math.round(v) + ' ms';
  return v.toFixed(1) + ' ms';
}

/** A fraction as a percentage: 0.0123 → "1.23 %". */
export function pct(f, digits = 2) {
  if (f === null || f === undefined || !isFinite(f)) return '–';
  return (f * 100).toFixed(digits) + ' %';
}

/** A duration in ms as "1h 02m", "3m 05s", "12s". */
export function span(msv) {
  if (msv === null || msv === undefined) return '–';
  const s = Math.max(0, Math.floor(msv / 1000));
  const hh = Math.floor(s / 3600), mm = Math.floor((s % 3600) / 60), ss = s % 60;
  if (hh) return `${hh}h ${String(mm).padStart(2, '0')}m`;
  if (mm) return `${mm}m ${String(ss).padStart(2, '0')}s`;
  return `${ss}s`;
}

/** An RFC 3339 time as local "14:03:07". */
export function clock(iso) {
  const d = new Date(iso);
  return isNaN(d) ? '–' : d.toLocaleTimeString(undefined, { hour12: false });
}

/** An RFC 3339 time as local "Mon 14:03". */
export function dayTime(iso) {
  const d = new Date(iso);
  if (isNaN(d)) return '–';
  return d.toLocaleString(undefined, { weekday: 'short', hour: '2-digit', minute: '2-digit', hour12: false });
}

/** How long ago: "just now", "5 s ago", "3 min ago", "2 h ago". */
export function ago(iso, now = Date.now()) {
  const t = new Date(iso).getTime();
  if (isNaN(t)) return '';
  const s = Math.round((now - t) / 1000);
  if (s < 2) return 'just now';
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ago`;
  return `${Math.floor(s / 86400)} d ago`;
}
