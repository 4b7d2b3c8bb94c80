// Draws the vital signs charts (Chart.js, served from wwwroot/lib/chart.js) from the readings' tables, which stay on the
// page as their text alternative: the table rows carry the values (data-at, data-value, data-systolic, data-diastolic),
// so the chart shows exactly what the table lists. Times on the axis are in the browser's time zone.
(function () {
    'use strict';
    if (typeof Chart === 'undefined') return;
    const when = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
    const day = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric' });
    const styles = getComputedStyle(document.documentElement);
    const colour = function (name, fallback) { return styles.getPropertyValue(name).trim() || fallback; };

    function points(table, field) {
        return Array.from(table.querySelectorAll('tbody tr')).map(function (row) {
            return { x: Date.parse(row.dataset.at), y: Number(row.dataset[field]) };
        });
    }

    function line(label, data, color, dash) {
        return { label: label, data: data, borderColor: color, backgroundColor: color, borderDash: dash || [], pointRadius: 3, tension: 0 };
    }

    function draw(canvas, datasets, unit) {
        // On a phone's width the axis names days only, and fewer of them, so the labels do not overlap.
        const narrow = canvas.parentElement.clientWidth < 576;
        new Chart(canvas, {
            type: 'line',
            data: { datasets: datasets },
            options: {
                maintainAspectRatio: false,
                animation: false,
                parsing: false,
                interaction: { mode: 'nearest', intersect: false },
                scales: {
                    x: { type: 'linear', bounds: 'data', ticks: { maxTicksLimit: narrow ? 4 : 6, maxRotation: 0, callback: function (value) { return (narrow ? day : when).format(new Date(value)); } } },
                    y: { title: { display: true, text: unit } },
                },
                plugins: {
                    legend: { display: datasets.length > 1 },
                    tooltip: { callbacks: { title: function (items) { return items.length ? when.format(new Date(items[0].parsed.x)) : ''; } } },
                },
            },
        });
        canvas.dataset.drawn = 'true';
    }

    const heart = document.querySelector('canvas[data-vitals-chart="heart-rate"]');
    const heartTable = document.getElementById('heart-rate-table');
    if (heart && heartTable) {
        draw(heart, [line('Heart rate', points(heartTable, 'value'), colour('--bs-danger', '#dc3545'))], 'beats per minute');
    }

    const pressure = document.querySelector('canvas[data-vitals-chart="blood-pressure"]');
    const pressureTable = document.getElementById('blood-pressure-table');
    if (pressure && pressureTable) {
        draw(pressure, [
            line('Systolic', points(pressureTable, 'systolic'), colour('--bs-primary', '#0d6efd')),
            line('Diastolic', points(pressureTable, 'diastolic'), colour('--bs-success', '#198754'), [6, 4]),
        ], 'mmHg');
    }
})();
