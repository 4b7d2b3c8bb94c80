// Uploads a record with a progress bar. The file is streamed by the server as it arrives, so the antiforgery token
// goes in a header (checked before the body is read) rather than in the form. A file the server would refuse for its
// type or size is refused here first, with the server's own message (data-rules), and nothing is sent.
(function () {
    'use strict';
    const form = document.getElementById('upload-form');
    if (!form) return;
    const progress = document.getElementById('upload-progress');
    const bar = progress.querySelector('.progress-bar');
    const status = document.getElementById('upload-status');
    const button = document.getElementById('upload-button');
    const rules = JSON.parse(form.dataset.rules);

    // As the server resolves it: the declared type when accepted, else the one the extension implies.
    function typeOf(file) {
        const declared = (file.type || '').split(';')[0].trim().toLowerCase();
        if (rules.types.indexOf(declared) >= 0) return declared;
        const dot = file.name.lastIndexOf('.');
        const extension = dot >= 0 ? file.name.substring(dot).toLowerCase() : '';
        return Object.prototype.hasOwnProperty.call(rules.extensions, extension) ? rules.extensions[extension] : null;
    }

    function refusal(file) {
        const type = typeOf(file);
        if (!type) return rules.messages.type;
        if (file.size > rules.maxBytes) return rules.messages.tooLarge;
        if (rules.jsonTypes.indexOf(type) >= 0 && file.size > rules.maxJsonBytes) return rules.messages.tooLargeJson;
        return null;
    }

    function show(message, kind) {
        status.className = 'mt-2 alert alert-' + kind;
        status.textContent = message;
    }

    function setProgress(percent) {
        bar.style.width = percent + '%';
        progress.setAttribute('aria-valuenow', String(percent));
    }

    form.addEventListener('submit', function (event) {
        event.preventDefault();
        const title = form.elements['Title'].value.trim();
        const file = form.elements['File'].files[0];
        if (!title) { show('Give the record a title.', 'danger'); form.elements['Title'].focus(); return; }
        if (!file) { show('Choose a file to upload.', 'danger'); form.elements['File'].focus(); return; }
        if (file.size === 0) { show('The file is empty. Choose a file with something in it.', 'danger'); return; }
        const refused = refusal(file);
        if (refused) { show(refused, 'danger'); form.elements['File'].focus(); return; }

        // Fields first, file last: the server reads them in this order.
        const data = new FormData();
        data.append('Title', title);
        data.append('Notes', form.elements['Notes'].value);
        data.append('Category', form.elements['Category'].value);
        data.append('File', file, file.name);

        const xhr = new XMLHttpRequest();
        xhr.open('POST', form.action);
        xhr.setRequestHeader('RequestVerificationToken', form.elements['__RequestVerificationToken'].value);
        xhr.setRequestHeader('Accept', 'application/json');
        xhr.upload.addEventListener('progress', function (e) {
            if (e.lengthComputable) setProgress(Math.round(e.loaded * 100 / e.total));
        });
        xhr.addEventListener('load', function () {
            let body = null;
            try { body = JSON.parse(xhr.responseText); } catch (_) { /* not JSON */ }
            if (xhr.status === 200 && body && body.ok) {
                setProgress(100);
                window.location.assign(body.redirect || window.location.href);
                return;
            }
            button.disabled = false;
            progress.classList.add('d-none');
            show(body && body.message ? body.message : 'The upload failed (' + xhr.status + '). Nothing was kept; please try again.', 'danger');
        });
        xhr.addEventListener('error', function () {
            button.disabled = false;
            progress.classList.add('d-none');
            show('The connection was lost during the upload. Nothing was kept; please try again.', 'danger');
        });

        button.disabled = true;
        progress.classList.remove('d-none');
        setProgress(0);
        show('Uploading and encrypting…', 'info');
        xhr.send(data);
    });
})();
