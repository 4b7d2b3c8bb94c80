// Registers the service worker (/sw.js) so the app installs on a phone's home screen and shows an offline page without
// a network. It caches no health data (see sw.js). Browsers without service workers simply skip this.
(function () {
    'use strict';
    if (!('serviceWorker' in navigator) || !window.isSecureContext) return;
    window.addEventListener('load', function () {
        navigator.serviceWorker.register('/sw.js', { scope: '/' }).catch(function () { /* The app works without it. */ });
    });
})();
