#!/usr/bin/env bash
# Installs the pinned browser libraries from web/package-lock.json (npm ci) and copies their
# built browser files and licences into web/static/vendor/, which is committed and embedded.
# Nothing here runs at build or run time: `go build` only embeds what this script left behind.
set -euo pipefail
cd "$(dirname "$0")/../web"
npm ci --ignore-scripts --no-audit --no-fund
out=static/vendor
rm -rf "$out/jsqr" "$out/chartjs"
mkdir -p "$out/jsqr" "$out/chartjs"
# jsQR (Apache-2.0): UMD build, defines window.jsQR; used when the browser has no BarcodeDetector.
cp node_modules/jsqr/dist/jsQR.js "$out/jsqr/jsQR.js"
cp node_modules/jsqr/LICENSE "$out/jsqr/LICENSE"
# Chart.js (MIT): UMD build (the ESM build imports a bare specifier), defines window.Chart.
cp node_modules/chart.js/dist/chart.umd.min.js "$out/chartjs/chart.umd.min.js"
cp node_modules/chart.js/LICENSE.md "$out/chartjs/LICENSE.md"
{
  echo "Vendored by scripts/vendor-web.sh from the npm registry; do not edit."
  for p in jsqr chart.js; do
    node -e "const p=require('./node_modules/$p/package.json');console.log(p.name+' '+p.version+' '+p.license)"
  done
} > "$out/VERSIONS.txt"
cat "$out/VERSIONS.txt"
