// The node's repository on disk: blocks (blockstore-fs), the recursive pin set, the node identity and a lock
// file so that two nodes never share one repository.
//
//   <repo>/blocks/        one file per block, named by its multihash (blockstore-fs)
//   <repo>/pins.json      {"version":1,"recursive":["Qm...", ...]}, replaced atomically on every change
//   <repo>/identity.json  the node's ed25519 public key and peer id (the node never signs anything)
//   <repo>/repo.lock      the pid of the node using the repository

import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import * as dagPb from '@ipld/dag-pb';
import { FsBlockstore } from 'blockstore-fs';
import { exporter } from 'ipfs-unixfs-exporter';
import { importer } from 'ipfs-unixfs-importer';
import { fixedSize } from 'ipfs-unixfs-importer/chunker';
import { balanced } from 'ipfs-unixfs-importer/layout';
import { base58btc } from 'multiformats/bases/base58';
import { CID } from 'multiformats/cid';
import { KuboError, isNotFound, notFoundLocally } from './kubo-error.mjs';
import { boundedLeafImporter, readFileRange } from './unixfs-stream.mjs';

const DAG_PB = 0x70;
const RAW = 0x55;
const PINS_VERSION = 1;
// Kubo's default Datastore.StorageMax (10 GB), reported by repo/stat.
const STORAGE_MAX = 10_000_000_000;
// Blocks read ahead of the client while streaming a file out.
const READ_AHEAD_BLOCKS = 4;

export class RepoLockedError extends Error {}

export class Repo {
    /** @param {string} dir */
    constructor(dir) {
        this.dir = path.resolve(dir);
        this.blocks = new FsBlockstore(path.join(this.dir, 'blocks'));
        this.pinsFile = path.join(this.dir, 'pins.json');
        this.lockFile = path.join(this.dir, 'repo.lock');
        /** @type {Set<string>} recursive pins, as CID strings */
        this.pins = new Set();
        this.pinWrites = Promise.resolve();
        this.gc = new GcLock();
        this.identity = null;
        this.locked = false;
    }

    async open() {
        fs.mkdirSync(this.dir, { recursive: true });
        this.#lock();
        await this.blocks.open();
        this.pins = readPins(this.pinsFile);
        this.identity = readOrCreateIdentity(path.join(this.dir, 'identity.json'));
    }

    async close() {
        await this.pinWrites;
        await this.blocks.close();
        if (this.locked) {
            fs.rmSync(this.lockFile, { force: true });
            this.locked = false;
        }
    }

    #lock() {
        for (let attempt = 0; attempt < 2; attempt++) {
            try {
                const fd = fs.openSync(this.lockFile, 'wx');
                fs.writeSync(fd, `${process.pid}\n`);
                fs.closeSync(fd);
                this.locked = true;
                return;
            } catch (err) {
                if (err.code !== 'EEXIST') {
                    throw err;
                }
                const pid = Number.parseInt(fs.readFileSync(this.lockFile, 'utf8'), 10);
                if (Number.isInteger(pid) && pid !== process.pid && isAlive(pid)) {
                    throw new RepoLockedError(`repository ${this.dir} is in use by another node (pid ${pid}); if no node runs, delete ${this.lockFile}`);
                }
                // A node that died without cleaning up left the lock behind.
                fs.rmSync(this.lockFile, { force: true });
            }
        }
        throw new RepoLockedError(`could not lock repository ${this.dir}`);
    }

    /**
     * Imports one file as Kubo's `ipfs add` would and returns Kubo's add event for it.
     * The content is pulled chunk by chunk: a file is never held whole in memory.
     * @param {AsyncIterable<Uint8Array>} content
     * @param {{ name: string, cidVersion: 0|1, rawLeaves: boolean, chunkSize: number, pin: boolean }} options
     */
    async add(content, options) {
        return this.gc.shared(async () => {
            let root;
            for await (const entry of importer([{ content }], this.blocks, {
                cidVersion: options.cidVersion,
                rawLeaves: options.rawLeaves,
                leafType: 'file',
                bufferImporter: boundedLeafImporter({ cidVersion: options.cidVersion, rawLeaves: options.rawLeaves, leafType: 'file' }),
                reduceSingleLeafToSelf: true,
                chunker: fixedSize({ chunkSize: options.chunkSize }),
                layout: balanced({ maxChildrenPerNode: 174 }),
                fieldOrder: 'links-first',
                // One file per request part: the importer's read-ahead is bounded by the block writes.
                fileImportConcurrency: 1,
                blockWriteConcurrency: 4,
            })) {
                root = entry;
            }
            if (root === undefined) {
                throw new KuboError('no file was added');
            }
            if (options.pin) {
                await this.#setPinned(root.cid, true);
            }
            // Size is the cumulative size of the DAG (all block bytes), as a string, like Kubo's.
            return { Name: options.name || root.cid.toString(), Hash: root.cid.toString(), Size: String(root.size) };
        });
    }

    /**
     * Resolves a file for `cat`; fails before anything is streamed if the root is missing or is not a file.
     * @param {CID} cid
     */
    async openFile(cid) {
        let entry;
        try {
            entry = await exporter(cid, this.blocks, { offline: true });
        } catch (err) {
            if (isNotFound(err)) {
                throw notFoundLocally(cid);
            }
            throw new KuboError(err.message);
        }
        if (entry.type === 'directory') {
            throw new KuboError('this dag node is a directory');
        }
        if (entry.type !== 'file' && entry.type !== 'raw' && entry.type !== 'identity') {
            throw new KuboError(`cannot cat a ${entry.type} node: it is not a UnixFS file`);
        }
        const size = BigInt(entry.size);
        return {
            size,
            /** @param {{ offset?: number, length?: number }} range */
            content: ({ offset = 0, length } = {}) => {
                const start = BigInt(offset) < size ? BigInt(offset) : size;
                const end = length === undefined || start + BigInt(length) > size ? size : start + BigInt(length);
                if (entry.type !== 'file') {
                    // raw and identity nodes are a single block, already in memory.
                    return entry.content({ offset: Number(start), length: Number(end - start) });
                }
                return readFileRange((c) => this.#readBlockOrFail(c), cid, start, end, READ_AHEAD_BLOCKS);
            },
        };
    }

    /** Pins a DAG recursively after checking that every block of it is here (Kubo would fetch them). */
    async pinAdd(cid) {
        return this.gc.shared(async () => {
            await this.#walk(cid, { failOnMissing: true });
            await this.#setPinned(cid, true);
        });
    }

    /** @returns {Promise<boolean>} false when the CID was not pinned */
    async pinRm(cid) {
        if (!this.pins.has(cid.toString())) {
            return false;
        }
        await this.#setPinned(cid, false);
        return true;
    }

    isPinned(cid) {
        return this.pins.has(cid.toString());
    }

    listPins() {
        return [...this.pins];
    }

    /**
     * Deletes every block not reachable from a pin (mark and sweep). Adds in flight finish first, so their
     * blocks are never swept before they are pinned.
     * @returns {Promise<CID[]>} the removed blocks
     */
    async collectGarbage() {
        return this.gc.exclusive(async () => {
            const live = new Set();
            for (const pin of this.pins) {
                await this.#walk(CID.parse(pin), { failOnMissing: false, visit: (c) => live.add(mhKey(c)) });
            }
            const removed = [];
            for await (const { cid } of this.blocks.getAll()) {
                if (!live.has(mhKey(cid))) {
                    await this.blocks.delete(cid);
                    removed.push(cid);
                }
            }
            return removed;
        });
    }

    /** Size and block count of the repository, walked on each call (a dev node holds few blocks). */
    async stat() {
        let numObjects = 0;
        let repoSize = 0;
        const walk = async (dir) => {
            let entries;
            try {
                entries = await fs.promises.readdir(dir, { withFileTypes: true });
            } catch (err) {
                if (err.code === 'ENOENT') {
                    return;
                }
                throw err;
            }
            for (const e of entries) {
                const full = path.join(dir, e.name);
                if (e.isDirectory()) {
                    await walk(full);
                } else if (e.isFile()) {
                    try {
                        const st = await fs.promises.stat(full);
                        repoSize += st.size;
                        if (e.name.endsWith('.data')) {
                            numObjects++;
                        }
                    } catch (err) {
                        if (err.code !== 'ENOENT') {
                            throw err;
                        }
                    }
                }
            }
        };
        await walk(this.dir);
        return { repoSize, storageMax: STORAGE_MAX, numObjects };
    }

    async #walk(cid, { failOnMissing, visit = () => {} }) {
        const seen = new Set();
        const stack = [cid];
        while (stack.length > 0) {
            const c = stack.pop();
            const key = mhKey(c);
            if (seen.has(key)) {
                continue;
            }
            seen.add(key);
            let bytes;
            try {
                bytes = await this.#readBlock(c);
            } catch (err) {
                if (isNotFound(err)) {
                    if (failOnMissing) {
                        throw notFoundLocally(c);
                    }
                    continue;
                }
                throw err;
            }
            visit(c);
            if (c.code === DAG_PB) {
                for (const link of dagPb.decode(bytes).Links) {
                    stack.push(link.Hash);
                }
            } else if (c.code !== RAW && c.multihash.code !== 0x00) {
                throw new KuboError(`unsupported codec 0x${c.code.toString(16)} in ${c}`);
            }
        }
    }

    async #readBlockOrFail(cid) {
        try {
            return await this.#readBlock(cid);
        } catch (err) {
            throw isNotFound(err) ? notFoundLocally(cid) : err;
        }
    }

    async #readBlock(cid) {
        const parts = [];
        for await (const part of this.blocks.get(cid)) {
            parts.push(part);
        }
        return Buffer.concat(parts);
    }

    async #setPinned(cid, pinned) {
        const key = cid.toString();
        if (pinned) {
            this.pins.add(key);
        } else {
            this.pins.delete(key);
        }
        // Writes are serialised so that the file always ends up holding the latest set.
        const snapshot = JSON.stringify({ version: PINS_VERSION, recursive: [...this.pins].sort() }, null, 2);
        const write = this.pinWrites.then(() => writeFileAtomic(this.pinsFile, `${snapshot}\n`));
        this.pinWrites = write.catch(() => {});
        await write;
    }
}

/**
 * Lets many adds run together but makes garbage collection wait for them (and them for it).
 */
class GcLock {
    #active = 0;
    #gc = null;
    #idle = [];

    async shared(fn) {
        while (this.#gc !== null) {
            await this.#gc.catch(() => {});
        }
        this.#active++;
        try {
            return await fn();
        } finally {
            this.#active--;
            if (this.#active === 0) {
                this.#idle.splice(0).forEach((resolve) => resolve());
            }
        }
    }

    async exclusive(fn) {
        while (this.#gc !== null) {
            await this.#gc.catch(() => {});
        }
        const run = (async () => {
            while (this.#active > 0) {
                await new Promise((resolve) => this.#idle.push(resolve));
            }
            return fn();
        })();
        this.#gc = run;
        try {
            return await run;
        } finally {
            this.#gc = null;
        }
    }
}

function mhKey(cid) {
    return base58btc.baseEncode(cid.multihash.bytes);
}

function readPins(file) {
    let text;
    try {
        text = fs.readFileSync(file, 'utf8');
    } catch (err) {
        if (err.code === 'ENOENT') {
            return new Set();
        }
        throw err;
    }
    const data = JSON.parse(text);
    if (data.version !== PINS_VERSION || !Array.isArray(data.recursive)) {
        throw new Error(`${file} is not a pin file this node understands`);
    }
    return new Set(data.recursive.map((s) => CID.parse(s).toString()));
}

function readOrCreateIdentity(file) {
    try {
        return JSON.parse(fs.readFileSync(file, 'utf8'));
    } catch (err) {
        if (err.code !== 'ENOENT') {
            throw err;
        }
    }
    // A libp2p peer id for an ed25519 key: the identity multihash of the protobuf-encoded public key
    // (field 1 KeyType = 1 (Ed25519), field 2 Data = the 32 key bytes).
    const { publicKey } = crypto.generateKeyPairSync('ed25519');
    const raw = Buffer.from(publicKey.export({ format: 'jwk' }).x, 'base64url');
    const protobuf = Buffer.concat([Buffer.from([0x08, 0x01, 0x12, raw.length]), raw]);
    const identityMultihash = Buffer.concat([Buffer.from([0x00, protobuf.length]), protobuf]);
    const identity = { ID: base58btc.baseEncode(identityMultihash), PublicKey: protobuf.toString('base64') };
    writeFileAtomicSync(file, `${JSON.stringify(identity, null, 2)}\n`);
    return identity;
}

async function writeFileAtomic(file, text) {
    const tmp = `${file}.${process.pid}.tmp`;
    const handle = await fs.promises.open(tmp, 'w');
    try {
        await handle.writeFile(text);
        await handle.sync();
    } finally {
        await handle.close();
    }
    await fs.promises.rename(tmp, file);
}

function writeFileAtomicSync(file, text) {
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, text);
    fs.renameSync(tmp, file);
}

function isAlive(pid) {
    try {
        process.kill(pid, 0);
        return true;
    } catch (err) {
        return err.code === 'EPERM';
    }
}
