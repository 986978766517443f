#!/usr/bin/env bash
# Regenerates bindings/ from contracts/src/*.sol: installs the pinned solc and OpenZeppelin from
# the npm registry (npm ci), compiles through standard JSON (contracts/compile.js) and runs
# go-ethereum's abigen at the go.mod version (a `tool` directive). Run from anywhere; needs node,
# npm and go. Nothing at run or test time needs node or solc: the output is committed.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root/contracts"
npm ci --no-audit --no-fund --loglevel=error >/dev/null
build=$(mktemp -d)
trap 'rm -rf "$build"' EXIT
node compile.js "$build"
cd "$root"
# Each contract gets its own Go package (bindings/<name>) so that generated helper types
# (abigen's "metadata" variables, struct types) never collide.
for abi in "$build"/*.abi; do
  name=$(basename "$abi" .abi)
  pkg=$(echo "$name" | tr '[:upper:]' '[:lower:]')
  mkdir -p "bindings/$pkg"
  go tool abigen --v2 --abi "$abi" --bin "$build/$name.bin" --pkg "$pkg" --type "$name" \
    --out "bindings/$pkg/$pkg.go"
  chmod 644 "bindings/$pkg/$pkg.go"
  echo "wrote bindings/$pkg/$pkg.go"
done
