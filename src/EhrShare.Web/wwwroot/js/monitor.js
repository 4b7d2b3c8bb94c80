// The admin monitor: fetches a snapshot every few seconds and redraws the page in place (no full reload).
// Everything from the server is inserted as text, never as HTML.
(function () {
    'use strict';
    const root = document.getElementById('monitor');
    if (!root) return;
    const url = root.dataset.snapshotUrl;
    const updated = document.getElementById('monitor-updated');
    const REFRESH_MS = 5000;

    function el(tag, text, className) {
        const e = document.createElement(tag);
        if (text !== undefined && text !== null) e.textContent = String(text);
        if (className) e.className = className;
        return e;
    }

    function row(cells, className) {
        const tr = el('tr', null, className);
        for (const c of cells) {
            const td = el('td');
            if (c instanceof Node) td.appendChild(c); else td.textContent = c === null || c === undefined ? '' : String(c);
            tr.appendChild(td);
        }
        return tr;
    }

    // A <time> that js/time.js shows in the browser's time zone (UTC on hover); relative within a week if asked.
    function when(iso, relative) {
        if (!iso) return '';
        const t = el('time', new Date(iso).toISOString().replace('T', ' ').slice(0, 16) + ' UTC');
        t.setAttribute('datetime', iso);
        t.dataset.local = relative ? 'relative' : 'absolute';
        return t;
    }

    function eventRow(e) {
        const who = [e.doctor, e.patient].filter(Boolean).join(' → ');
        return row([when(e.time, true), e.block, e.name, who, e.detail || (e.recordId ? 'record ' + e.recordId : '')], e.alert ? 'row-emergency' : '');
    }

    function emergencyRow(e) {
        const review = el('a', e.verdict ? e.verdict : 'Review', 'btn btn-sm ' + (e.verdict ? 'btn-outline-secondary' : 'btn-danger'));
        review.href = e.reviewUrl;
        return row([when(e.declaredAt, true), e.doctor, e.patient || '–', el('span', e.reason, 'text-danger-emphasis'), when(e.until), review],
            e.verdict ? '' : 'row-emergency');
    }

    // Up, but with problems (missing or corrupt shares, failed reads or writes) seen since the last scan finished:
    // amber, not green. A scan counts what it finds against each node just after it finishes, so a node stays amber
    // until a scan finds nothing wrong with it (after a repair).
    function nodeState(n, lastScan) {
        if (!n.up) return badge('down', 'danger');
        const since = !lastScan || (n.lastProblemAt && new Date(n.lastProblemAt) >= new Date(lastScan.finishedAt));
        return n.problems > 0 && since ? badge('up, with problems', 'warning') : badge('up', 'success');
    }

    function badge(text, kind) { return el('span', text, 'badge text-bg-' + kind); }

    // Each cell is labelled with its column's header, which a phone shows above it (the table-stack style).
    function fill(id, rows, empty) {
        const table = document.getElementById(id);
        const headers = Array.from(table.querySelectorAll('thead th'), function (th) { return th.textContent; });
        for (const tr of rows) {
            Array.from(tr.cells).forEach(function (td, i) { if (headers[i]) td.dataset.label = headers[i]; });
        }
        table.tBodies[0].replaceChildren(...rows);
        if (rows.length === 0) table.tBodies[0].appendChild(row([empty]));
        if (window.ehrTimes) window.ehrTimes.showAll(table);
    }

    function lines(id, items) {
        const box = document.getElementById(id);
        box.replaceChildren(...items.map(function (i) { return i instanceof Node ? i : el('div', i, 'small'); }));
    }

    function time(iso) { return iso ? new Date(iso).toISOString().replace('T', ' ').slice(0, 19) + ' UTC' : ''; }
    function number(n) { return n === null || n === undefined ? '–' : Number(n).toLocaleString('en-US'); }

    function render(s) {
        const c = s.chain;
        lines('chain-summary', c.reachable
            ? [badge('up', 'success'), 'chain id ' + c.chainId, 'latest block ' + number(c.latestBlock), 'contract ' + (c.contractAddress || '–')]
            : [badge('down', 'danger'), c.error || 'unreachable']);
        const i = s.ipfs;
        lines('ipfs-summary', i.reachable
            ? [badge('up', 'success'), 'version ' + i.version, 'objects ' + number(i.objects), 'repo ' + number(i.repoSize) + ' bytes']
            : [badge('down', 'danger'), i.error || 'unreachable']);
        const o = s.outbox;
        lines('records-summary', [
            'records: ' + s.records.committed + ' committed, ' + s.records.pending + ' in progress, ' + s.records.removed + ' removed',
            'access log: ' + o.pending + ' waiting, ' + o.sent + ' sent, not yet mined' + (o.oldestPending ? ' (oldest ' + time(o.oldestPending) + ')' : ''),
            o.batches
                ? el('div', 'batches: the last ' + number(o.batches.entries) + ' logged reads in ' + number(o.batches.transactions) + ' transactions ('
                    + o.batches.mean.toFixed(1) + ' per transaction, largest ' + o.batches.largest + ', latest ' + o.batches.latest + ')', 'small')
                : el('div', 'batches: none logged yet', 'small text-muted'),
            o.lastError ? el('div', 'last error: ' + o.lastError, 'small text-danger') : el('div', 'no errors', 'small text-muted'),
        ]);

        fill('nodes', s.nodes.map(function (n) {
            return row([n.name, nodeState(n, s.lastScan), number(n.shareCount),
                n.problems > 0 ? el('span', n.problems + ' — ' + (n.lastProblem || '') + ' ' + time(n.lastProblemAt), 'small text-danger') : el('span', 'none', 'small text-muted')]);
        }), 'No share nodes configured.');
        document.getElementById('last-scan').textContent = s.lastScan
            ? 'Last scan ' + time(s.lastScan.finishedAt) + ': ' + s.lastScan.summary
            : 'No scan yet since the app started.';

        fill('latencies', s.latencies.map(function (l) { return row([l.operation, l.count, l.p50Ms.toFixed(1), l.p95Ms.toFixed(1), l.maxMs.toFixed(1)]); }), 'No operations yet.');
        drawChart(s.latencies);

        const txRows = [];
        for (const b of c.blocks) {
            if (b.transactions.length === 0) txRows.push(row([b.number, el('span', 'empty block', 'text-muted small'), '', '']));
            for (const t of b.transactions) {
                txRows.push(row([b.number, t.succeeded === false ? el('span', t.function + ' (reverted)', 'text-danger') : t.function, t.from, number(t.gasUsed)]));
            }
        }
        fill('blocks', txRows, c.reachable ? 'No blocks yet.' : 'The chain is down.');
        fill('alerts', c.alerts.map(eventRow), c.reachable ? 'None so far.' : 'The chain is down.');
        fill('events', c.events.map(eventRow), c.reachable ? 'No events yet.' : 'The chain is down.');
        for (const span of document.querySelectorAll('.events-as-of')) {
            span.textContent = c.eventsAsOfBlock != null ? ', as of block ' + c.eventsAsOfBlock : '';
        }
        updated.replaceChildren('Updated ', when(s.takenAt));
        if (window.ehrTimes) window.ehrTimes.showAll(updated);
    }

    // Vertical bars side by side; on a narrow screen (a phone), one horizontal pair of bars per operation instead,
    // so that the labels never overlap.
    function drawChart(latencies) {
        const canvas = document.getElementById('latency-chart');
        const width = canvas.clientWidth || 600;
        const narrow = width < 520;
        const rowHeight = 38;
        const height = narrow ? Math.max(1, latencies.length) * rowHeight + 24 : 220;
        canvas.width = width;
        canvas.height = height;
        const ctx = canvas.getContext('2d');
        ctx.clearRect(0, 0, width, height);
        if (latencies.length === 0) return;
        const max = Math.max(1, ...latencies.map(function (l) { return l.p95Ms; }));
        const left = 8;
        ctx.font = '11px system-ui, sans-serif';
        if (narrow) {
            const span = width - left * 2;
            latencies.forEach(function (l, i) {
                const y = 4 + i * rowHeight;
                ctx.textAlign = 'left';
                ctx.fillStyle = '#212529';
                ctx.fillText(l.operation + '  ' + l.p50Ms.toFixed(1) + ' / ' + l.p95Ms.toFixed(1) + ' ms', left, y + 10);
                ctx.fillStyle = '#0d6efd'; ctx.fillRect(left, y + 14, Math.max(1, span * l.p50Ms / max), 8);
                ctx.fillStyle = '#fd7e14'; ctx.fillRect(left, y + 24, Math.max(1, span * l.p95Ms / max), 8);
            });
        } else {
            const bottom = height - 48, top = 16;
            const slot = (width - left * 2) / latencies.length;
            const bar = Math.max(4, Math.min(28, slot / 3));
            ctx.textAlign = 'center';
            latencies.forEach(function (l, i) {
                const x = left + slot * i + slot / 2;
                const h50 = (bottom - top) * l.p50Ms / max, h95 = (bottom - top) * l.p95Ms / max;
                ctx.fillStyle = '#0d6efd'; ctx.fillRect(x - bar - 1, bottom - h50, bar, h50);
                ctx.fillStyle = '#fd7e14'; ctx.fillRect(x + 1, bottom - h95, bar, h95);
                ctx.fillStyle = '#212529';
                ctx.fillText(l.operation, x, bottom + 14);
                ctx.fillText(l.p50Ms.toFixed(1) + ' / ' + l.p95Ms.toFixed(1) + ' ms', x, bottom + 28);
            });
        }

        ctx.textAlign = 'left';
        ctx.fillStyle = '#0d6efd'; ctx.fillRect(left, height - 12, 10, 10);
        ctx.fillStyle = '#212529'; ctx.fillText('p50', left + 14, height - 3);
        ctx.fillStyle = '#fd7e14'; ctx.fillRect(left + 50, height - 12, 10, 10);
        ctx.fillStyle = '#212529'; ctx.fillText('p95', left + 64, height - 3);
    }

    async function getJson(address) {
        const response = await fetch(address, { headers: { 'Accept': 'application/json' }, credentials: 'same-origin' });
        if (!response.ok) throw new Error('HTTP ' + response.status);
        return response.json();
    }

    // The refresh of all records: progress while it runs, the outcome after; Start or Cancel as fits.
    function renderShareRefresh(r) {
        const line = document.getElementById('share-refresh');
        const running = !!r && r.state === 'Running';
        document.getElementById('refresh-cancel').hidden = !running;
        document.getElementById('refresh-start').hidden = running;
        if (!r) { line.textContent = ''; return; }
        const progress = number(r.recordsDone) + ' of ' + number(r.recordsTotal) + ' record(s)';
        const who = 'started by ' + r.startedBy + ' at ' + time(r.startedAt);
        let text = running
            ? 'Share refresh running: ' + progress + ' done, ' + who + ' (last progress ' + time(r.updatedAt) + ').'
            : 'Last share refresh ' + r.state.toLowerCase() + ' at ' + time(r.finishedAt) + ': ' + progress + ', ' + who + '.';
        if (r.recordsFailed) text += ' ' + number(r.recordsFailed) + ' record(s) not refreshed.';
        if (r.skippedNodes) text += ' Skipped nodes (run a repair): ' + r.skippedNodes + '.';
        if (r.outcome && !running) text += ' ' + r.outcome;
        line.textContent = text;
    }

    async function refresh() {
        try {
            const [snapshot, emergencies, shareRefresh] = await Promise.all([getJson(url), getJson(root.dataset.emergenciesUrl), getJson(root.dataset.refreshUrl)]);
            render(snapshot);
            renderShareRefresh(shareRefresh);
            fill('monitor-emergencies', emergencies.map(emergencyRow), 'No emergency declared.');
        } catch (e) {
            updated.textContent = 'Could not refresh (' + e.message + '); retrying…';
        } finally {
            setTimeout(refresh, REFRESH_MS);
        }
    }

    refresh();
})();
