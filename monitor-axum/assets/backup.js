// Backup and restore (admins): the monitor's state downloaded as a
// snapshot file, and a snapshot file uploaded in its place, after the
// operator confirms. The server checks the whole file first: a bad one
// is a 400 whose message is shown, and nothing changes.

import { $, toast } from './dom.js';
import { count, dayTime } from './format.js';
import { call, post, save } from './api.js';

export class Backup {
  /** `onChange(restored)`: called after a restore was tried (the audit log grew; the state changed if `restored`). */
  constructor(onChange) {
    this.onChange = onChange;
    this.file = null;
    $('backup-download').addEventListener('click', () => this.download());
    $('restore-file').addEventListener('change', (ev) => this.pick(ev.target.files[0]));
    $('restore-yes').addEventListener('click', () => this.restore());
    $('restore-no').addEventListener('click', () => this.cancel('Restore cancelled; nothing changed.'));
  }

  async download() {
    const button = $('backup-download');
    button.disabled = true;
    try {
      const res = await call('api/snapshot', { raw: true });
      const { name, bytes } = await save(res, 'monitor.snap');
      this.result(`Downloaded ${name} (${size(bytes)}).`, 'ok');
    } catch (e) {
      if (e.status !== 401) this.result(`Backup failed: ${e.message}`, 'bad');
    } finally {
      button.disabled = false;
    }
  }

  /** A file was chosen: ask before anything is sent. */
  pick(file) {
    if (!file) return;
    this.file = file;
    $('restore-question').textContent = `Restore from ${file.name} (${size(file.size)})? It replaces the monitor's figures, errors and activities with the file's; the audit log stays.`;
    $('restore-confirm').hidden = false;
    this.result('', '');
    $('restore-yes').focus();
  }

  cancel(text) {
    this.file = null;
    $('restore-file').value = '';
    $('restore-confirm').hidden = true;
    if (text) this.result(text, 'info');
  }

  async restore() {
    const file = this.file;
    if (!file) return;
    $('restore-yes').disabled = true;
    try {
      const done = await post('api/snapshot', file);
      const r = done.restored;
      this.result(`Restored the state of ${dayTime(r.taken_at)}: ${count(r.messages)} messages, ${count(r.errors)} errors (${size(done.bytes)}).`, 'ok');
      toast('Snapshot restored', 'ok');
      this.cancel();
      this.onChange(true);
    } catch (e) {
      if (e.status === 401) return;
      this.result(`Not restored: ${e.message}. Nothing was changed.`, 'bad');
      this.cancel();
      this.onChange(false);
    } finally {
      $('restore-yes').disabled = false;
    }
  }

  result(text, kind) {
    const el = $('restore-result');
    el.textContent = text;
    el.dataset.kind = kind;
  }
}

function size(bytes) {
  if (bytes >= 1048576) return `${(bytes / 1048576).toFixed(1)} MB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(0)} KB`;
  return `${bytes} bytes`;
}
