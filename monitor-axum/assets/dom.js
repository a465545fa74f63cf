// DOM helpers. Everything that comes from the server or a user goes in
// as text (textContent, text nodes, element properties), never as HTML:
// there is no innerHTML anywhere in this page.

/** An element: `h('li', {class: 'x', title: t}, 'text', child)`. */
export function h(tag, props, ...children) {
  const el = document.createElement(tag);
  if (props) {
    for (const [key, value] of Object.entries(props)) {
      if (value === undefined || value === null || value === false) continue;
      if (key === 'class') el.className = value;
      else if (key === 'text') el.textContent = String(value);
      else if (key === 'data') Object.assign(el.dataset, value);
      else if (key.startsWith('on')) el.addEventListener(key.slice(2), value);
      else if (key in el) el[key] = value;
      else el.setAttribute(key, String(value));
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children) {
    if (child === undefined || child === null || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else if (child instanceof Node) el.appendChild(child);
    else el.appendChild(document.createTextNode(String(child)));
  }
}

/** Replaces `el`'s children. */
export function fill(el, ...children) {
  el.replaceChildren();
  append(el, children);
}

/** The element with `id`. */
export const $ = (id) => document.getElementById(id);

/** Sets the text of every `[data-f=name]` under `root`. */
export function setField(root, name, text) {
  for (const el of root.querySelectorAll(`[data-f="${name}"]`)) {
    if (el.textContent !== text) el.textContent = text;
  }
}

/** A short message at the bottom of the screen, gone after a while. */
export function toast(text, kind = 'info') {
  const box = $('toasts');
  const el = h('div', { class: `toast ${kind}`, role: 'status', text });
  box.appendChild(el);
  setTimeout(() => el.remove(), 5000);
}
