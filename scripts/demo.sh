#!/usr/bin/env bash
# Quick start, step 1: install what is missing, start the embedded stack (Temporal + Web UI, MinIO, a worker),
# and run the digits pipeline end to end, printing its test accuracy and the run's Temporal UI link.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# The pinned Node.js that setup installed (scripts/node.mjs).
PATH="$(dirname "$(node scripts/node.mjs)"):$PATH"
node bin/gauntlet.js dev up
node bin/gauntlet.js run examples/digits/pipeline.yaml --watch
cat <<'MSG'

The stack keeps running: open the Temporal UI link above, or try
  ./bin/gauntlet.js runs list
  ./bin/gauntlet.js status <run id>
Stop it with ./bin/gauntlet.js dev down
MSG
