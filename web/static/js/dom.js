// Tiny DOM helpers. Everything is built with createElement + textContent: no innerHTML, so
// server data can never become markup (XSS), and no inline styles (the CSP forbids them).

// h('button', {class: 'big', on: {click: f}, 'aria-label': '…'}, 'text', child…)
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'on') for (const [ev, fn] of Object.entries(v)) el.addEventListener(ev, fn);
    else if (k === 'class') el.className = v;
    else if (k === 'text') el.textContent = v;
    else if (k in el && typeof v !== 'string') el[k] = v;
    else el.setAttribute(k, v === true ? '' : v);
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

export const $ = (sel, root = document) => root.querySelector(sel);
export const $$ = (sel, root = document) => [...root.querySelectorAll(sel)];

export function clear(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

// msg(el, 'error'|'ok'|'warn', text): a live message; role=alert for errors so screen readers speak it.
export function msg(el, kind, text) {
  el.className = 'msg ' + (kind || '');
  el.setAttribute('role', kind === 'error' ? 'alert' : 'status');
  el.textContent = text || '';
}

let seq = 0;
// field(labelText, input, hint): a labelled input with an error slot wired by aria-describedby.
export function field(labelText, input, hint) {
  const id = input.id || ('f' + (++seq));
  input.id = id;
  const err = h('p', { class: 'field-error', id: id + '-err', 'aria-live': 'polite' });
  const described = [err.id];
  let hintEl = null;
  if (hint) { hintEl = h('p', { class: 'hint', id: id + '-hint', text: hint }); described.push(hintEl.id); }
  input.setAttribute('aria-describedby', described.join(' '));
  const wrap = h('div', { class: 'field' }, h('label', { for: id, text: labelText }), input, hintEl, err);
  wrap.setError = (text) => {
    err.textContent = text || '';
    if (text) input.setAttribute('aria-invalid', 'true'); else input.removeAttribute('aria-invalid');
  };
  wrap.input = input;
  return wrap;
}

// confirmDialog(text, okLabel, cancelLabel) → Promise<boolean>, a native modal <dialog> (keyboard and focus handled by the browser).
export function confirmDialog(text, okLabel, cancelLabel, danger = true) {
  return new Promise((resolve) => {
    const ok = h('button', { class: danger ? 'danger' : '', value: 'ok', text: okLabel });
    const cancel = h('button', { class: 'secondary', value: 'cancel', text: cancelLabel });
    const d = h('dialog', { 'aria-label': text }, h('form', { method: 'dialog' }, h('p', { text }), h('div', { class: 'row' }, cancel, ok)));
    document.body.append(d);
    d.addEventListener('close', () => { resolve(d.returnValue === 'ok'); d.remove(); });
    d.showModal();
    cancel.focus();
  });
}

// formDialog({title, fields: [{name, label, input, hint}], ok, cancel, submit, errorText}) →
// Promise of submit's result, or null when cancelled. A modal <dialog> holding a form: submit(values)
// runs on OK, and an error it throws (an ApiError, or {field, code}) is shown in the dialog, on
// its field when it names one, leaving the dialog open to correct.
export function formDialog({ title, fields, ok, cancel, submit, errorText }) {
  return new Promise((resolve) => {
    const fs = fields.map((d) => { const f = field(d.label, d.input, d.hint); f.name = d.name; return f; });
    const out = h('div', { class: 'msg', 'aria-live': 'assertive' });
    const okBtn = h('button', { type: 'submit', text: ok });
    const cancelBtn = h('button', { type: 'button', class: 'secondary', text: cancel });
    const form = h('form', { novalidate: true }, h('h2', { text: title }), fs, out, h('div', { class: 'row' }, cancelBtn, okBtn));
    const d = h('dialog', { 'aria-label': title }, form);
    let result = null;
    cancelBtn.addEventListener('click', () => d.close());
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      fs.forEach((f) => f.setError(''));
      msg(out, '', '');
      okBtn.disabled = true;
      try {
        result = await submit(Object.fromEntries(fs.map((f) => [f.name, f.input.multiple ? [...f.input.selectedOptions].map((o) => o.value) : f.input.value])));
        d.close();
      } catch (e) {
        const text = errorText(e);
        const f = fs.find((x) => x.name === e.field);
        if (f) { f.setError(text); f.input.focus(); }
        msg(out, 'error', text);
      } finally { okBtn.disabled = false; }
    });
    d.addEventListener('close', () => { d.remove(); resolve(result); });
    document.body.append(d);
    d.showModal();
    fs[0]?.input.focus();
  });
}

export function download(filename, text, type = 'text/csv') {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = h('a', { href: url, download: filename });
  document.body.append(a); a.click(); a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 5000);
}
