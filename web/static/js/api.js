// API client. Token storage (see docs/web.md): the access token lives only in memory; the
// refresh token lives in sessionStorage so a reload of the same tab stays logged in, and is
// rotated on each use. Requests carry "Authorization: Bearer", never cookies, so CSRF does not
// apply; the strict CSP (no inline script, self only) is the defence against XSS.

const REFRESH_KEY = 'aidledger.refresh';
const session = { access: null, user: null };
let refreshing = null;

export class ApiError extends Error {
  constructor(status, code, message, field, details) {
    super(message || code);
    Object.assign(this, { status, code, field, details });
  }
  // network: no answer at all (offline, dropped, timed out) — the request may or may not have run.
  get network() { return this.status === 0; }
}

export const currentUser = () => session.user;

function store(s) {
  session.access = s.access_token;
  session.user = s.user;
  try { sessionStorage.setItem(REFRESH_KEY, s.refresh_token); } catch { /* private mode: memory only */ }
}

function forget() {
  session.access = null; session.user = null;
  try { sessionStorage.removeItem(REFRESH_KEY); } catch { /* ignore */ }
}

async function send(path, { method = 'GET', body, headers = {}, auth = true, raw = false, timeout = 20000, form } = {}) {
  const h = { Accept: 'application/json', ...headers };
  if (auth && session.access) h.Authorization = 'Bearer ' + session.access;
  let payload;
  if (form) payload = form;
  else if (body !== undefined) { h['Content-Type'] = 'application/json'; payload = JSON.stringify(body); }
  const ctl = new AbortController();
  const timer = setTimeout(() => ctl.abort(), timeout);
  let res;
  try {
    res = await fetch(path, { method, headers: h, body: payload, signal: ctl.signal, credentials: 'omit', cache: 'no-store' });
  } catch (e) {
    throw new ApiError(0, 'network', String(e && e.message || e));
  } finally { clearTimeout(timer); }
  if (raw && res.ok) return res;
  if (res.status === 204) return null;
  let data = null;
  const text = await res.text().catch(() => '');
  try { data = text ? JSON.parse(text) : null; } catch { data = null; }
  if (!res.ok) {
    const e = (data && data.error) || {};
    throw new ApiError(res.status, e.code || 'http_' + res.status, e.message || res.statusText, e.field, e.details);
  }
  data = data ?? {};
  Object.defineProperty(data, '_status', { value: res.status, enumerable: false });
  return data;
}

// api(path, opts): JSON in, JSON out; one transparent refresh-and-retry on an expired access token.
// opts.once marks a write that must happen at most once however often it is tried (see once).
export async function api(path, opts = {}) {
  if (opts.once) return once(path, opts);
  try {
    return await send(path, opts);
  } catch (e) {
    if (e.status !== 401 || opts.auth === false || !session.access) throw e;
    const r = await refreshSession();
    if (r === 'ok') return send(path, opts);
    // The server refused the session (it expired, the password was changed or the account
    // disabled): the shell asks for a login instead of failing every action one by one.
    if (r === 'none') { forget(); document.dispatchEvent(new Event('sessionended')); }
    throw e;
  }
}

// Unanswered writes, by method, path and body, with the Idempotency-Key each was sent with. A
// write whose answer was lost (the network, a timeout, a 5xx, a request still being served) is
// sent again with the same key when the same form is submitted again, and the server answers
// it with the first answer instead of doing it twice: no settlement paid twice, no funding
// counted twice. An answer clears it. Memory only: bodies may hold personal data, and a reload
// starts afresh (the vendor's redemption, which must survive one, keeps its own key).
const unanswered = new Map();

function leftUnanswered(e) {
  return e.network || e.status >= 500 || e.status === 429 || e.code === 'idempotency_in_progress';
}

async function once(path, opts) {
  const id = (opts.method || 'GET') + ' ' + path + '\n' + JSON.stringify(opts.body ?? null);
  const key = unanswered.get(id) || newKey();
  unanswered.set(id, key);
  const { once: _, ...rest } = opts;
  try {
    const r = await api(path, { ...rest, headers: { ...(opts.headers || {}), 'Idempotency-Key': key } });
    unanswered.delete(id);
    return r;
  } catch (e) {
    if (!leftUnanswered(e)) unanswered.delete(id);
    throw e;
  }
}

// newKey is a random Idempotency-Key (crypto.randomUUID needs a secure context).
export function newKey() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  return [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
}

// refreshSession exchanges the stored refresh token (single flight: concurrent 401s share one
// call): 'ok'; 'none' when there is no session to resume or the server refused it; 'offline'
// when no answer came, and the token is kept for a later try.
function refreshSession() {
  if (!refreshing) {
    refreshing = (async () => {
      let rt = null;
      try { rt = sessionStorage.getItem(REFRESH_KEY); } catch { /* ignore */ }
      if (!rt) return 'none';
      try {
        store(await send('/api/v1/auth/refresh', { method: 'POST', body: { refresh_token: rt }, auth: false }));
        return 'ok';
      } catch (e) {
        if (e.network) return 'offline';
        forget();
        return 'none';
      }
    })().finally(() => { refreshing = null; });
  }
  return refreshing;
}

export async function refresh() { return (await refreshSession()) === 'ok'; }

export async function login(email, password) {
  const s = await send('/api/v1/auth/login', { method: 'POST', body: { email, password }, auth: false });
  store(s);
  return s.user;
}

// changePassword changes the logged-in user's password. The server ends every other session of
// theirs and answers with a new one for this tab.
export async function changePassword(current, next) {
  store(await api('/api/v1/me/password', { method: 'POST', body: { current_password: current, new_password: next } }));
}

// restore resumes a session after a reload of the same tab, or returns null when there is none.
// Without an answer from the server it throws a network ApiError: the session may still be good.
export async function restore() {
  if (session.user) return session.user;
  const r = await refreshSession();
  if (r === 'offline') throw new ApiError(0, 'network', 'no answer to the session refresh');
  return r === 'ok' ? session.user : null;
}

export async function logout() {
  let rt = null;
  try { rt = sessionStorage.getItem(REFRESH_KEY); } catch { /* ignore */ }
  forget();
  if (rt) await send('/api/v1/auth/logout', { method: 'POST', body: { refresh_token: rt }, auth: false }).catch(() => {});
}

// blobURL fetches an authenticated binary (e.g. the card PNG) as an object URL (CSP allows blob: images).
export async function blobURL(path) {
  const res = await api(path, { raw: true, headers: { Accept: 'image/png,*/*' } });
  return URL.createObjectURL(await res.blob());
}

// fetchText fetches an authenticated text download (e.g. a CSV statement).
export async function fetchText(path) {
  const res = await api(path, { raw: true, headers: { Accept: 'text/csv,*/*' } });
  return res.text();
}

// listAll follows a cursor-paginated list ({<key>: […], next}) to the end: /api/v1/programs, /vendors.
export async function listAll(path, key) {
  const out = [];
  let after = '';
  for (let i = 0; i < 100; i++) {
    const sep = path.includes('?') ? '&' : '?';
    const r = await api(path + sep + 'limit=500' + (after ? '&after=' + encodeURIComponent(after) : ''));
    out.push(...(r[key] || []));
    if (!r.next || r.next === after) break;
    after = r.next;
  }
  return out;
}
