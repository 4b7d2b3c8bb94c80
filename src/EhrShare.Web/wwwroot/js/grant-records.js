// The Access page's record choice: a category button ticks every record of that category and picks "Chosen records";
// ticking a record picks "Chosen records" too. Without this script the checklist and the choice still work.
(function () {
    'use strict';
    document.querySelectorAll('[data-grant-records]').forEach(function (field) {
        var chosen = field.querySelector('[data-share-chosen]');
        field.querySelectorAll('[data-tick-category]').forEach(function (button) {
            button.addEventListener('click', function () {
                var category = button.getAttribute('data-tick-category');
                field.querySelectorAll('input[type=checkbox][data-category="' + category + '"]').forEach(function (box) {
                    box.checked = true;
                });
                chosen.checked = true;
            });
        });
        field.querySelectorAll('input[type=checkbox]').forEach(function (box) {
            box.addEventListener('change', function () {
                if (box.checked) {
                    chosen.checked = true;
                }
            });
        });
    });
})();
