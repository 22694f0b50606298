#!/usr/bin/env bash
# Prebuild the dev-stack binaries (Temporal CLI, MinIO) into the version-keyed cache that `gauntlet dev up` uses:
#   <repo>/.cache/bin/<name>-<version>/<name>   (or $GAUNTLET_CACHE_DIR/bin/...)
# Usage: deploy/dev/build-binaries.sh [temporal] [minio]     (needs Go >= 1.25 on PATH and `npm run build` done)
# Versions are pinned in deploy/dev/binaries.ts; this script only calls that code, so CI and `dev up` never disagree.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
entry="$root/dist/deploy/dev/prebuild.js"
if [[ ! -f "$entry" ]]; then
  echo "build-binaries: $entry is missing: run \`npm run build\` first" >&2
  exit 1
fi
exec node "$entry" "$@"
