// Compiles contracts/src/*.sol with the pinned solc (npm "solc", i.e. solcjs) through standard
// JSON, so the EVM version and optimizer settings are explicit, and writes <Name>.abi and
// <Name>.bin for abigen into the directory given as the first argument.
'use strict';
const fs = require('fs');
const path = require('path');
const solc = require('solc');

const outDir = process.argv[2];
if (!outDir) {
  console.error('usage: node compile.js OUTDIR');
  process.exit(2);
}
const srcDir = path.join(__dirname, 'src');
const sources = {};
for (const f of fs.readdirSync(srcDir).filter((f) => f.endsWith('.sol')).sort()) {
  sources['src/' + f] = { content: fs.readFileSync(path.join(srcDir, f), 'utf8') };
}
const input = {
  language: 'Solidity',
  sources,
  settings: {
    // cancun: the widest-supported target among permissioned clients (geth, Besu QBFT).
    evmVersion: 'cancun',
    optimizer: { enabled: true, runs: 10000 },
    // via-IR: the batch loops need more stack slots than the legacy pipeline allows, and its
    // optimizer packs the entitlement-slot arithmetic tighter.
    viaIR: true,
    metadata: { bytecodeHash: 'none' },
    outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object'] } },
  },
};
function findImports(p) {
  for (const base of [__dirname, path.join(__dirname, 'node_modules')]) {
    const full = path.join(base, p);
    if (fs.existsSync(full)) return { contents: fs.readFileSync(full, 'utf8') };
  }
  return { error: 'not found: ' + p };
}
const out = JSON.parse(solc.compile(JSON.stringify(input), { import: findImports }));
let failed = false;
for (const e of out.errors || []) {
  console.error(e.formattedMessage);
  if (e.severity === 'error') failed = true;
}
if (failed) process.exit(1);
fs.mkdirSync(outDir, { recursive: true });
for (const file of Object.keys(sources)) {
  for (const [name, c] of Object.entries(out.contracts[file])) {
    fs.writeFileSync(path.join(outDir, name + '.abi'), JSON.stringify(c.abi));
    fs.writeFileSync(path.join(outDir, name + '.bin'), c.evm.bytecode.object);
    console.log(`compiled ${name}: ${c.evm.bytecode.object.length / 2} bytes of init code`);
  }
}
console.log('solc ' + solc.version());
