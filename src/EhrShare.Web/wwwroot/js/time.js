// Times written by the server in UTC (<time data-local>) are shown in the browser's time zone, with UTC kept on
// hover; relative ones within a week read "2 h ago" / "in 3 days" (the full local time on hover). Relative texts are
// refreshed every minute. Without scripts the page keeps the UTC text.
(function () {
    'use strict';
    // dateStyle/timeStyle cannot be combined with timeZoneName, so the parts are named.
    const parts = { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' };
    const absolute = new Intl.DateTimeFormat(undefined, parts);
    const withZone = new Intl.DateTimeFormat(undefined, Object.assign({ timeZoneName: 'short' }, parts));
    const relative = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto', style: 'short' });
    const WEEK = 7 * 24 * 3600 * 1000;
    const steps = [[60 * 1000, 'second', 1000], [3600 * 1000, 'minute', 60 * 1000], [24 * 3600 * 1000, 'hour', 3600 * 1000], [WEEK, 'day', 24 * 3600 * 1000]];

    function relativeText(at, now) {
        const diff = at.getTime() - now;
        const size = Math.abs(diff);
        for (const [below, unit, ms] of steps) {
            if (size < below) return unit === 'second' && size < 45000 ? (diff <= 0 ? 'just now' : 'in a moment') : relative.format(Math.round(diff / ms), unit);
        }
        return null;
    }

    function show(node, now) {
        const at = new Date(node.getAttribute('datetime'));
        if (isNaN(at.getTime())) return;
        if (!node.dataset.utc) node.dataset.utc = node.textContent.trim();
        const local = absolute.format(at);
        let text = local;
        if (node.dataset.local === 'relative') {
            text = relativeText(at, now) || local;
        }
        node.textContent = text;
        node.title = text === local ? node.dataset.utc : withZone.format(at) + ' · ' + node.dataset.utc;
    }

    function showAll(root) {
        const now = Date.now();
        (root || document).querySelectorAll('time[data-local]').forEach(function (node) { show(node, now); });
    }

    window.ehrTimes = { showAll: showAll };
    showAll(document);
    setInterval(function () { showAll(document); }, 60000);
})();
