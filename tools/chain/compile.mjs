// Compiles contracts/*.sol with the pinned solc-js (standard JSON) into contracts/build/<Contract>.json: the ABI,
// creation and runtime bytecode and the compiler version and settings. The app embeds that artifact, so it runs
// without Node; `--check` recompiles and exits 1 if a committed artifact is stale (a test runs it).
//
//   node tools/chain/compile.mjs           write the artifacts
//   node tools/chain/compile.mjs --check   compare with the committed artifacts, write nothing
import { readdirSync, readFileSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const solc = require('solc');

const here = dirname(fileURLToPath(import.meta.url));
const contractsDir = resolve(here, '../../contracts');
const buildDir = join(contractsDir, 'build');
const check = process.argv.includes('--check');

// Pinned settings: they are part of the artifact, and the runtime code (hence the deployment check) depends on them.
// evmVersion cancun: supported by anvil, geth and Besu private networks alike.
const settings = {
    optimizer: { enabled: true, runs: 1000 },
    evmVersion: 'cancun',
    metadata: { bytecodeHash: 'ipfs' },
    outputSelection: {
        '*': { '*': ['abi', 'evm.bytecode.object', 'evm.deployedBytecode.object', 'evm.methodIdentifiers'] },
    },
};

const sources = {};
for (const name of readdirSync(contractsDir).filter((f) => f.endsWith('.sol')).sort()) {
    // Source names are repository-relative so the metadata (and the bytecode's metadata hash) is machine-independent.
    sources[`contracts/${name}`] = { content: readFileSync(join(contractsDir, name), 'utf8') };
}

const output = JSON.parse(solc.compile(JSON.stringify({ language: 'Solidity', sources, settings })));
const errors = (output.errors ?? []).filter((e) => e.severity === 'error');
for (const e of output.errors ?? []) {
    console.error(e.formattedMessage);
}
if (errors.length > 0) {
    process.exit(2);
}

let stale = 0;
for (const [sourceName, contracts] of Object.entries(output.contracts)) {
    for (const [contractName, c] of Object.entries(contracts)) {
        const artifact = {
            contractName,
            sourceName,
            compiler: { name: 'solc', version: solc.version(), settings: { ...settings, outputSelection: undefined } },
            abi: c.abi,
            bytecode: '0x' + c.evm.bytecode.object,
            deployedBytecode: '0x' + c.evm.deployedBytecode.object,
            methodIdentifiers: c.evm.methodIdentifiers,
        };
        const text = JSON.stringify(artifact, null, 2) + '\n';
        const file = join(buildDir, `${contractName}.json`);
        if (check) {
            const current = existsSync(file) ? readFileSync(file, 'utf8') : '';
            if (current !== text) {
                console.error(`stale: ${file} differs from a fresh compile of ${sourceName}; run node tools/chain/compile.mjs`);
                stale++;
            } else {
                console.log(`up to date: ${file}`);
            }
        } else {
            mkdirSync(buildDir, { recursive: true });
            writeFileSync(file, text);
            console.log(`wrote ${file}`);
        }
    }
}
process.exit(stale > 0 ? 1 : 0);
