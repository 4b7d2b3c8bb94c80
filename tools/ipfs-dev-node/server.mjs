#!/usr/bin/env node
// EhrShare's IPFS dev node: the subset of the Kubo RPC API the app uses, with Kubo's CIDs and error shapes.
//
//   node tools/ipfs-dev-node/server.mjs --repo DIR [--host 127.0.0.1] [--port 5001]
//
// Endpoints (POST only, like Kubo): add, cat, pin/add, pin/rm, pin/ls, repo/gc, repo/stat, version, id.
// It never talks to a network: everything it serves is in its own repository.

import fs from 'node:fs';
import http from 'node:http';
import { parseArgs } from 'node:util';
import busboy from 'busboy';
import { CID } from 'multiformats/cid';
import { KuboError } from './lib/kubo-error.mjs';
import { Repo, RepoLockedError } from './lib/repo.mjs';

const PACKAGE = JSON.parse(fs.readFileSync(new URL('./package.json', import.meta.url), 'utf8'));
const AGENT = `ehrshare-ipfs-dev-node/${PACKAGE.version}`;
const MAX_CHUNK_SIZE = 1024 * 1024;

const USAGE = `usage: node server.mjs --repo DIR [--host 127.0.0.1] [--port 5001]

  --repo DIR   where blocks, pins and the node identity are kept (created if missing)
  --host HOST  address to listen on (default 127.0.0.1; the RPC API has no authentication)
  --port PORT  TCP port (default 5001; 0 picks a free one, printed in the "ready" line)`;

function fail(message) {
    console.error(`ipfs-dev-node: ${message}`);
    process.exit(1);
}

function parseCommandLine() {
    let values;
    try {
        ({ values } = parseArgs({
            options: {
                repo: { type: 'string' },
                host: { type: 'string', default: '127.0.0.1' },
                port: { type: 'string', default: '5001' },
                help: { type: 'boolean', short: 'h' },
            },
            strict: true,
        }));
    } catch (err) {
        fail(`${err.message}\n${USAGE}`);
    }
    if (values.help) {
        console.log(USAGE);
        process.exit(0);
    }
    if (!values.repo) {
        fail(`--repo DIR is required\n${USAGE}`);
    }
    const port = Number(values.port);
    if (!/^\d+$/.test(values.port) || port > 65535) {
        fail(`--port must be a TCP port number (0-65535), not '${values.port}'`);
    }
    return { repo: values.repo, host: values.host, port };
}

// ---- request helpers ------------------------------------------------------------------------------------

/** Kubo's flag parsing: a bare flag or "true"/"1" is true, "false"/"0" is false. */
function boolOption(query, name, fallback) {
    const value = query.get(name);
    if (value === null) {
        return fallback;
    }
    switch (value.toLowerCase()) {
        case '':
        case 'true':
        case '1':
            return true;
        case 'false':
        case '0':
            return false;
        default:
            throw KuboError.client(`invalid value for option "${name}": '${value}' is not a boolean`);
    }
}

function intOption(query, name, fallback) {
    const value = query.get(name);
    if (value === null) {
        return fallback;
    }
    if (!/^-?\d+$/.test(value)) {
        throw KuboError.client(`invalid value for option "${name}": '${value}' is not an integer`);
    }
    return Number(value);
}

function requiredArgs(query, argName) {
    const args = query.getAll('arg');
    if (args.length === 0) {
        throw KuboError.client(`argument "${argName}" is required`);
    }
    return args;
}

/**
 * Accepts what Kubo's commands accept for a file: a CID or /ipfs/<cid>. Paths inside a DAG and IPNS names are
 * beyond this node. A bare string that is not a CID gets Kubo's own message for it.
 */
function parseCidPath(arg) {
    if (!arg.startsWith('/')) {
        try {
            return CID.parse(arg);
        } catch {
            throw new KuboError(`invalid path ${JSON.stringify(arg)}: path does not have enough components`);
        }
    }
    const segments = arg.split('/').filter((s) => s.length > 0);
    if (segments.length < 2) {
        throw new KuboError(`invalid path ${JSON.stringify(arg)}: path does not have enough components`);
    }
    if (segments[0] !== 'ipfs' && segments[0] !== 'ipld') {
        throw new KuboError(segments[0] === 'ipns'
            ? `invalid path ${JSON.stringify(arg)}: the dev node does not resolve IPNS names`
            : `invalid path ${JSON.stringify(arg)}: unknown namespace`);
    }
    let cid;
    try {
        cid = CID.parse(segments[1]);
    } catch (err) {
        throw new KuboError(`invalid path ${JSON.stringify(arg)}: invalid cid: ${err.message}`);
    }
    if (segments.length > 2) {
        throw new KuboError(`invalid path ${JSON.stringify(arg)}: the dev node does not resolve paths inside a DAG`);
    }
    return cid;
}

function sendJson(res, status, body) {
    const text = `${JSON.stringify(body)}\n`;
    res.writeHead(status, {
        'Content-Type': 'application/json',
        'Content-Length': Buffer.byteLength(text),
        'Cache-Control': 'no-cache',
    });
    res.end(text);
}

function sendError(res, err) {
    const kubo = err instanceof KuboError ? err : new KuboError(err.message ?? String(err));
    if (!(err instanceof KuboError)) {
        console.error(`ipfs-dev-node: unexpected error: ${err.stack ?? err}`);
    }
    if (res.headersSent) {
        // Kubo reports an error that happens once streaming has begun in the X-Stream-Error trailer.
        if (!res.writableEnded) {
            res.addTrailers({ 'X-Stream-Error': kubo.message });
            res.end();
        }
        return;
    }
    sendJson(res, kubo.status, kubo.toJSON());
}

function write(res, chunk) {
    if (res.write(chunk)) {
        return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
        const cleanup = () => {
            res.off('drain', onDrain);
            res.off('close', onClose);
        };
        const onDrain = () => {
            cleanup();
            resolve();
        };
        const onClose = () => {
            cleanup();
            reject(new Error('client went away'));
        };
        res.on('drain', onDrain);
        res.on('close', onClose);
    });
}

// ---- commands ---------------------------------------------------------------------------------------------

function addOptions(query) {
    for (const unsupported of ['trickle', 'wrap-with-directory', 'only-hash', 'nocopy', 'fscache', 'inline']) {
        if (boolOption(query, unsupported, false)) {
            throw new KuboError(`option "${unsupported}" is not supported by the EhrShare IPFS dev node`);
        }
    }
    if (query.has('to-files')) {
        throw new KuboError('option "to-files" is not supported by the EhrShare IPFS dev node');
    }
    const hash = query.get('hash') ?? 'sha2-256';
    if (hash !== 'sha2-256') {
        throw new KuboError(`hash function "${hash}" is not supported by the EhrShare IPFS dev node`);
    }
    const cidVersion = intOption(query, 'cid-version', 0);
    if (cidVersion !== 0 && cidVersion !== 1) {
        throw new KuboError(`unknown CID version: ${cidVersion}`);
    }
    // As in Kubo: CIDv1 implies raw leaves unless raw-leaves says otherwise.
    const rawLeaves = boolOption(query, 'raw-leaves', cidVersion === 1);
    const chunker = query.get('chunker') ?? 'size-262144';
    const match = /^size-(\d+)$/.exec(chunker);
    if (match === null) {
        throw new KuboError(`chunker "${chunker}" is not supported by the EhrShare IPFS dev node (only size-N)`);
    }
    const chunkSize = Number(match[1]);
    if (chunkSize <= 0 || chunkSize > MAX_CHUNK_SIZE) {
        throw new KuboError(`chunker parameters may not exceed the maximum chunk size of ${MAX_CHUNK_SIZE}`);
    }
    return {
        cidVersion,
        rawLeaves,
        chunkSize,
        pin: boolOption(query, 'pin', true),
        // progress events are never sent: the final event per file is what clients read.
        quieter: boolOption(query, 'quieter', false),
        silent: boolOption(query, 'silent', false),
    };
}

async function add(repo, req, res, query) {
    const options = addOptions(query);
    if (!/^multipart\/form-data/i.test(req.headers['content-type'] ?? '')) {
        throw KuboError.client("file argument 'path' is required");
    }
    let parser;
    try {
        parser = busboy({ headers: req.headers, defParamCharset: 'utf8', preservePath: true });
    } catch (err) {
        throw KuboError.client(`invalid multipart request: ${err.message}`);
    }

    const events = [];
    let firstError = null;
    let files = 0;
    let queue = Promise.resolve();
    parser.on('file', (_field, stream, info) => {
        files++;
        if (info.mimeType === 'application/x-directory') {
            firstError ??= new KuboError('directories are not supported by the EhrShare IPFS dev node');
            stream.resume();
            return;
        }
        const name = decodeName(info.filename);
        // Parts arrive one after another; each is imported while it streams in.
        queue = queue.then(async () => {
            if (firstError !== null) {
                stream.resume();
                return;
            }
            try {
                events.push(await repo.add(stream, { ...options, name }));
            } catch (err) {
                firstError ??= err;
                stream.resume();
            }
        });
    });
    const parsed = new Promise((resolve, reject) => {
        parser.on('close', resolve);
        parser.on('error', reject);
        req.on('error', reject);
        req.on('aborted', () => reject(new Error('request aborted')));
    });
    req.pipe(parser);
    try {
        await parsed;
    } catch (err) {
        firstError ??= KuboError.client(`invalid multipart request: ${err.message}`);
        req.unpipe(parser);
        parser.destroy();
    }
    await queue;
    if (firstError !== null) {
        throw firstError;
    }
    if (files === 0) {
        throw KuboError.client("file argument 'path' is required");
    }

    const shown = options.silent ? [] : options.quieter ? events.slice(-1) : events;
    const body = shown.map((e) => `${JSON.stringify(e)}\n`).join('');
    res.writeHead(200, {
        'Content-Type': 'application/json',
        'Content-Length': Buffer.byteLength(body),
        'X-Chunked-Output': '1',
        'Cache-Control': 'no-cache',
    });
    res.end(body);
}

function decodeName(filename) {
    if (!filename) {
        return '';
    }
    try {
        // Kubo's clients URL-escape file names in the multipart header.
        return decodeURIComponent(filename);
    } catch {
        return filename;
    }
}

async function cat(repo, req, res, query) {
    const args = requiredArgs(query, 'ipfs-path');
    const offset = intOption(query, 'offset', 0);
    const length = intOption(query, 'length', -1);
    if (offset < 0) {
        throw KuboError.client(`cannot specify negative offset`);
    }
    if (args.length > 1 && (offset !== 0 || length >= 0)) {
        throw new KuboError('offset and length with several paths are not supported by the EhrShare IPFS dev node');
    }
    // Everything is resolved before the first byte goes out, so a missing or bad CID is a clean 500.
    const files = [];
    for (const arg of args) {
        files.push(await repo.openFile(parseCidPath(arg)));
    }
    let total = files.reduce((sum, f) => sum + f.size, 0n);
    const start = BigInt(offset) > total ? total : BigInt(offset);
    total -= start;
    if (length >= 0 && BigInt(length) < total) {
        total = BigInt(length);
    }
    res.writeHead(200, {
        'Content-Type': 'text/plain',
        'X-Stream-Output': '1',
        'X-Chunked-Output': '1',
        'X-Content-Length': String(total),
        'Trailer': 'X-Stream-Error',
        'Cache-Control': 'no-cache',
    });
    for (const file of files) {
        const range = files.length === 1 ? { offset: Number(start), length: length >= 0 ? length : undefined } : {};
        for await (const chunk of file.content(range)) {
            await write(res, chunk);
        }
    }
    res.end();
}

async function pinAdd(repo, req, res, query) {
    const args = requiredArgs(query, 'ipfs-path');
    if (!boolOption(query, 'recursive', true)) {
        throw new KuboError('direct pins are not supported by the EhrShare IPFS dev node');
    }
    const pins = [];
    for (const arg of args) {
        const cid = parseCidPath(arg);
        await repo.pinAdd(cid);
        pins.push(cid.toString());
    }
    sendJson(res, 200, { Pins: pins });
}

async function pinRm(repo, req, res, query) {
    const args = requiredArgs(query, 'ipfs-path');
    const cids = args.map(parseCidPath);
    for (const cid of cids) {
        if (!repo.isPinned(cid)) {
            throw new KuboError('not pinned or pinned indirectly');
        }
    }
    for (const cid of cids) {
        await repo.pinRm(cid);
    }
    sendJson(res, 200, { Pins: cids.map(String) });
}

async function pinLs(repo, req, res, query) {
    const type = query.get('type') ?? 'all';
    if (!['all', 'recursive', 'direct', 'indirect'].includes(type)) {
        throw KuboError.client(`invalid type '${type}', must be one of {direct, indirect, recursive, all}`);
    }
    const listed = type === 'all' || type === 'recursive' ? repo.listPins() : [];
    const args = query.getAll('arg');
    const keys = {};
    if (args.length > 0) {
        for (const arg of args) {
            const cid = parseCidPath(arg);
            if (!listed.includes(cid.toString())) {
                throw new KuboError(`path '${arg}' is not pinned`);
            }
            keys[cid.toString()] = { Type: 'recursive' };
        }
    } else {
        for (const cid of listed) {
            keys[cid] = { Type: 'recursive' };
        }
    }
    sendJson(res, 200, { Keys: keys });
}

async function repoGc(repo, req, res, query) {
    const removed = await repo.collectGarbage();
    const body = boolOption(query, 'silent', false)
        ? ''
        : removed.map((cid) => `${JSON.stringify({ Key: { '/': cid.toString() } })}\n`).join('');
    res.writeHead(200, { 'Content-Type': 'application/json', 'X-Chunked-Output': '1', 'Content-Length': Buffer.byteLength(body) });
    res.end(body);
}

async function repoStat(repo, req, res, query) {
    const stat = await repo.stat();
    const sizeOnly = boolOption(query, 'size-only', false);
    // Kubo's JSON is flat: RepoSize and StorageMax sit beside NumObjects.
    sendJson(res, 200, sizeOnly
        ? { RepoSize: stat.repoSize, StorageMax: stat.storageMax }
        : {
            RepoSize: stat.repoSize,
            StorageMax: stat.storageMax,
            NumObjects: stat.numObjects,
            RepoPath: repo.dir,
            Version: 'fs-repo@ehrshare-dev-1',
        });
}

async function version(repo, req, res) {
    sendJson(res, 200, {
        Version: PACKAGE.version,
        Commit: '',
        Repo: 'ehrshare-dev-1',
        System: `${process.arch === 'x64' ? 'amd64' : process.arch}/${process.platform}`,
        Golang: `none (ehrshare-ipfs-dev-node on node ${process.version})`,
    });
}

async function id(repo, req, res, query) {
    if (query.getAll('arg').length > 0) {
        throw new KuboError('the EhrShare IPFS dev node knows no other peers');
    }
    sendJson(res, 200, {
        ID: repo.identity.ID,
        PublicKey: repo.identity.PublicKey,
        Addresses: [],
        AgentVersion: AGENT,
        Protocols: [],
    });
}

const COMMANDS = new Map([
    ['/api/v0/add', add],
    ['/api/v0/cat', cat],
    ['/api/v0/pin/add', pinAdd],
    ['/api/v0/pin/rm', pinRm],
    ['/api/v0/pin/ls', pinLs],
    ['/api/v0/repo/gc', repoGc],
    ['/api/v0/repo/stat', repoStat],
    ['/api/v0/version', version],
    ['/api/v0/id', id],
]);

// ---- server -----------------------------------------------------------------------------------------------

function allowedOrigin(req, apiOrigin) {
    // Like Kubo, refuse calls a web page makes from another origin: the API has no authentication.
    const origin = req.headers.origin;
    return origin === undefined || origin === apiOrigin;
}

async function main() {
    const { repo: repoDir, host, port } = parseCommandLine();
    const repo = new Repo(repoDir);
    try {
        await repo.open();
    } catch (err) {
        fail(err instanceof RepoLockedError ? err.message : `cannot open repository ${repoDir}: ${err.message}`);
    }

    let apiOrigin = '';
    const server = http.createServer(async (req, res) => {
        const started = process.hrtime.bigint();
        res.on('close', () => {
            const ms = Number(process.hrtime.bigint() - started) / 1e6;
            const status = res.headersSent ? res.statusCode : '-';
            const state = res.writableFinished ? '' : ' (aborted)';
            console.log(`${new Date().toISOString()} ${req.method} ${req.url} ${status} ${ms.toFixed(1)}ms${state}`);
        });
        const url = new URL(req.url ?? '/', 'http://localhost');
        const command = COMMANDS.get(url.pathname.replace(/\/+$/, ''));
        try {
            if (command === undefined) {
                res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
                res.end('404 page not found\n');
                return;
            }
            if (req.method !== 'POST') {
                res.writeHead(405, { 'Content-Type': 'text/plain; charset=utf-8', Allow: 'POST' });
                res.end('405 - Method Not Allowed\n');
                return;
            }
            if (!allowedOrigin(req, apiOrigin)) {
                res.writeHead(403, { 'Content-Type': 'text/plain; charset=utf-8' });
                res.end('403 - Forbidden\n');
                return;
            }
            await command(repo, req, res, url.searchParams);
        } catch (err) {
            if (!res.destroyed) {
                sendError(res, err);
            }
        } finally {
            // Whatever the command did not read of the body is drained, so the connection can be reused.
            if (!req.complete && !req.destroyed) {
                req.resume();
            }
        }
    });
    // Uploads of hundreds of MiB must not be cut off by Node's default 5-minute request timeout; idle
    // keep-alive connections stay open longer than clients keep them pooled.
    server.requestTimeout = 0;
    server.headersTimeout = 60_000;
    server.keepAliveTimeout = 120_000;

    server.on('error', (err) => {
        if (err.code === 'EADDRINUSE') {
            fail(`port ${port} on ${host} is already in use (is another IPFS node running?)`);
        }
        if (err.code === 'EADDRNOTAVAIL') {
            fail(`cannot listen on ${host}: no such local address`);
        }
        fail(`cannot listen on ${host}:${port}: ${err.message}`);
    });

    let stopping = false;
    const stop = async (signal) => {
        if (stopping) {
            return;
        }
        stopping = true;
        console.log(`ipfs-dev-node: ${signal} received, stopping`);
        server.close();
        server.closeAllConnections();
        await repo.close();
        process.exit(0);
    };
    process.on('SIGINT', () => stop('SIGINT'));
    process.on('SIGTERM', () => stop('SIGTERM'));
    process.on('exit', () => {
        if (repo.locked) {
            fs.rmSync(repo.lockFile, { force: true });
        }
    });

    server.listen(port, host, () => {
        const address = server.address();
        const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
        apiOrigin = `http://${shownHost}:${address.port}`;
        console.log(`ipfs-dev-node ready: RPC API at ${apiOrigin}/api/v0 (repo ${repo.dir}, ${AGENT})`);
    });
}

await main();
