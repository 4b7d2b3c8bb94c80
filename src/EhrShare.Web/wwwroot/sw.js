// EhrShare's service worker: it lets the app install on a phone's home screen and shows an offline page when there is
// no network. It caches NO health data: the cache holds only the fixed list below (the offline page and the static
// files it uses), written once at install. Pages, records and API responses always come from the network and are never
// put in any cache; when the network is down a page navigation gets the offline page, and everything else fails as it
// would without a service worker. README: Security model.
'use strict';

const CACHE = 'ehrshare-offline-v1';
const OFFLINE_PAGE = '/offline.html';
const PRECACHED = [
    OFFLINE_PAGE,
    '/lib/bootstrap/css/bootstrap.min.css',
    '/css/site.css',
    '/favicon.svg',
    '/icons/icon-192.png',
];

self.addEventListener('install', function (event) {
    event.waitUntil(caches.open(CACHE)
        .then(function (cache) { return cache.addAll(PRECACHED.map(function (url) { return new Request(url, { cache: 'reload', credentials: 'omit' }); })); })
        .then(function () { return self.skipWaiting(); }));
});

self.addEventListener('activate', function (event) {
    event.waitUntil(caches.keys()
        .then(function (names) { return Promise.all(names.filter(function (n) { return n !== CACHE; }).map(function (n) { return caches.delete(n); })); })
        .then(function () { return self.clients.claim(); }));
});

function isPrecached(url) {
    return url.origin === self.location.origin && PRECACHED.indexOf(url.pathname) >= 0;
}

self.addEventListener('fetch', function (event) {
    const request = event.request;
    if (request.method !== 'GET') return;
    const url = new URL(request.url);
    if (request.mode === 'navigate') {
        // Always the network; only when it cannot be reached, the offline page (never a cached page).
        event.respondWith(fetch(request).catch(function () { return caches.match(OFFLINE_PAGE); }));
    } else if (isPrecached(url)) {
        // The offline page's own files: the network first (versioned URLs included), the install-time copy offline.
        event.respondWith(fetch(request).catch(function () {
            return caches.match(url.pathname).then(function (cached) { return cached || Response.error(); });
        }));
    }
    // Anything else is not handled here: the browser fetches it as it would without a service worker.
});
