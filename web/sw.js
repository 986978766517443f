// The apps' service worker: a page and its files come from the network when there is one, and
// from a copy kept here when there is none, so that a phone whose browser dropped the tab (cheap
// phones do, to free memory) can open the app again without a connection and finish a sale that
// is waiting for an answer. See docs/web.md ("Without a connection").
//
// Network first, not cache first: online, every load is exactly what it was without a worker
// (the server's no-cache revalidation, an upgrade seen at once); the copy only stands in when
// fetch fails. A connection that hangs rather than fails waits as it would without a worker.
// The API is never touched: answers about money are never served from a copy.
//
// The server fills in VERSION (a hash of every file below) and FILES when it serves this file,
// so an upgrade of any file is a new worker, which fetches the new set whole before it takes
// over and then drops the old copy. The copy is only ever written whole, here, so it never
// mixes two versions' files.
const VERSION = '__VERSION__';
const FILES = __FILES__;
const CACHE = 'aidledger-' + VERSION;

self.addEventListener('install', (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    // cache: 'no-cache' revalidates with the server, so an older copy in the HTTP cache is not
    // taken for the new version's file.
    await cache.addAll(FILES.map((f) => new Request(f, { cache: 'no-cache' })));
    await self.skipWaiting();
  })());
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith('aidledger-') && name !== CACHE) await caches.delete(name);
    }
    await self.clients.claim();
  })());
});

// key maps a request to the copy it would use: an app's page with or without its trailing slash
// is one file, and a query string never selects a different one.
function key(url) {
  let path = url.pathname;
  if (path.length > 1 && path.endsWith('/')) path = path.slice(0, -1);
  return path;
}

self.addEventListener('fetch', (event) => {
  const req = event.request;
  const url = new URL(req.url);
  if (req.method !== 'GET' || url.origin !== self.location.origin || !FILES.includes(key(url))) return;
  event.respondWith((async () => {
    try {
      return await fetch(req);
    } catch (err) {
      const copy = await (await caches.open(CACHE)).match(key(url));
      if (copy) return copy;
      throw err;
    }
  })());
});
