// Streaming pieces that keep memory bounded to a few chunks, whatever the file size.
//
// - boundedLeafImporter: ipfs-unixfs-importer's default buffer importer hands each leaf's UnixFS object, chunk
//   data included, to the layout, which keeps a whole layer of leaves (174 × 256 KiB ≈ 44 MiB) until it builds
//   their parent. This importer writes byte-identical leaves but passes on only what the layout reads of a leaf
//   (its data length), so the chunk can be freed once it is on disk.
// - readFileRange: ipfs-unixfs-exporter's file content walks the DAG into an unbounded queue, so a slow reader
//   makes it buffer the whole file. This reader walks depth first and only reads a few blocks ahead of the
//   consumer.

import * as dagPb from '@ipld/dag-pb';
import { UnixFS } from 'ipfs-unixfs';
import { CID } from 'multiformats/cid';
import * as raw from 'multiformats/codecs/raw';
import { sha256 } from 'multiformats/hashes/sha2';

/**
 * A `bufferImporter` for ipfs-unixfs-importer producing the same blocks as its default one.
 * @param {{ cidVersion: 0|1, rawLeaves: boolean, leafType: 'file'|'raw' }} options
 */
export function boundedLeafImporter({ cidVersion, rawLeaves, leafType }) {
    return async function* bufferImporter(file, blockstore) {
        for await (const chunk of file.content) {
            yield async () => {
                if (rawLeaves) {
                    const cid = CID.createV1(raw.code, await sha256.digest(chunk));
                    await blockstore.put(cid, chunk);
                    return { cid, size: BigInt(chunk.length), block: chunk };
                }
                const block = dagPb.encode({ Data: new UnixFS({ type: leafType, data: chunk }).marshal(), Links: [] });
                const cid = CID.create(cidVersion, dagPb.code, await sha256.digest(block));
                await blockstore.put(cid, block);
                return { cid, size: BigInt(block.length), block, unixfs: new LeafSummary(leafType, chunk.length) };
            };
        }
    };
}

/**
 * What the importer reads of a leaf's UnixFS object: its type and data length. The importer keeps `block` only
 * for the first leaf (in case the file is a single chunk) and reads `unixfs.data.length` of the others to record
 * their sizes in the parent node. A class, not an object literal with closures, so nothing in it can keep the
 * chunk alive.
 */
class LeafSummary extends UnixFS {
    constructor(type, length) {
        super({ type });
        this.data = { length };
    }
}

/**
 * Streams bytes [start, end) of a UnixFS file (dag-pb or raw leaves), reading at most `readAhead` sibling blocks
 * ahead of the consumer.
 * @param {(cid: CID) => Promise<Uint8Array>} readBlock
 * @param {CID} root
 * @param {bigint} start
 * @param {bigint} end
 */
export async function* readFileRange(readBlock, root, start, end, readAhead = 4) {
    if (end <= start) {
        return;
    }
    let emitted = 0n;
    for await (const piece of walk(readBlock, root, await readBlock(root), 0n, start, end, readAhead)) {
        emitted += BigInt(piece.length);
        yield piece;
    }
    if (emitted !== end - start) {
        throw new Error(`the DAG of ${root} holds ${emitted} of the ${end - start} bytes its root announces`);
    }
}

async function* walk(readBlock, cid, bytes, position, start, end, readAhead) {
    if (cid.code === raw.code) {
        yield* slice(bytes, position, start, end);
        return;
    }
    if (cid.code !== dagPb.code) {
        throw new Error(`${cid} is not a UnixFS file block (codec 0x${cid.code.toString(16)})`);
    }
    const node = dagPb.decode(bytes);
    const unixfs = UnixFS.unmarshal(node.Data ?? new Uint8Array(0));
    if (unixfs.type !== 'file' && unixfs.type !== 'raw') {
        throw new Error(`${cid} is a UnixFS ${unixfs.type}, not a file`);
    }
    if (unixfs.data !== undefined && unixfs.data.length > 0) {
        yield* slice(unixfs.data, position, start, end);
        position += BigInt(unixfs.data.length);
    }
    if (node.Links.length !== unixfs.blockSizes.length) {
        throw new Error(`${cid} has ${node.Links.length} links but ${unixfs.blockSizes.length} block sizes`);
    }
    const wanted = [];
    for (let i = 0; i < node.Links.length && position < end; i++) {
        const childEnd = position + unixfs.blockSizes[i];
        if (childEnd > start) {
            wanted.push({ cid: node.Links[i].Hash, position });
        }
        position = childEnd;
    }
    const pending = [];
    let next = 0;
    const fill = () => {
        while (pending.length < readAhead && next < wanted.length) {
            const child = wanted[next++];
            const read = readBlock(child.cid);
            read.catch(() => {}); // awaited below; this only keeps an early failure from going unhandled
            pending.push({ ...child, read });
        }
    };
    fill();
    while (pending.length > 0) {
        const child = pending.shift();
        const childBytes = await child.read;
        fill();
        yield* walk(readBlock, child.cid, childBytes, child.position, start, end, readAhead);
    }
}

function* slice(data, position, start, end) {
    const from = start > position ? Number(start - position) : 0;
    const to = Math.min(data.length, Number(end - position));
    if (to > from) {
        yield data.subarray(from, to);
    }
}
