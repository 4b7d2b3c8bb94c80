// Errors shaped like Kubo's RPC errors: HTTP 500 (or 400 for a malformed call) with the body
// {"Message":"...","Code":0,"Type":"error"}. Code follows go-ipfs-cmds: 0 = normal error, 1 = client error.

export class KuboError extends Error {
    /**
     * @param {string} message Kubo's message text (clients may match on it, so keep Kubo's wording).
     * @param {{ status?: number, code?: number }} [init]
     */
    constructor(message, { status = 500, code = 0 } = {}) {
        super(message);
        this.name = 'KuboError';
        this.status = status;
        this.code = code;
    }

    static client(message) {
        return new KuboError(message, { status: 400, code: 1 });
    }

    toJSON() {
        return { Message: this.message, Code: this.code, Type: 'error' };
    }
}

/** The message Kubo gives for a block it does not have when it may not ask the network. */
export function notFoundLocally(cid) {
    return new KuboError(`block was not found locally (offline): ipld: could not find ${cid}`);
}

export function isNotFound(err) {
    return err != null && (err.name === 'NotFoundError' || err.code === 'ERR_NOT_FOUND');
}
