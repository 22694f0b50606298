#!/bin/sh
# A fake trainer that honours job contract v1 (core/spec/job.ts) for bench/sweepScale.bench.ts, as cheap as a process
# can be: POSIX sh, coreutils and curl (SigV4 for MinIO), no Python. It "trains" for a random time, seeded from the job
# id (a retry sleeps as long), split over the epochs; each epoch prints metric and checkpoint events (rewriting a tiny
# checkpoint object) and rewrites <prefix>events.jsonl; then it writes <prefix>result.json, last, and exits 0. Any
# mode is accepted; `evaluate` sleeps 0 s and reports accuracy and loss.
#
# Env: GAUNTLET_JOB (the job document, compact JSON), GAUNTLET_STORAGE_{ENDPOINT,ACCESS_KEY,SECRET_KEY,REGION}.
# Args: [MIN_MS MAX_MS]: the range of the run time (default 2000 8000; a pod's env is the Job's, so args carry it).
# Why not Python + boto3: `import boto3` alone costs ~0.5 CPU-s and 50 MB per process (see the bench's header).
set -eu
started=$(date -u +%Y-%m-%dT%H:%M:%S.%3NZ)
job=${GAUNTLET_JOB:?GAUNTLET_JOB is not set}

field() { printf '%s' "$job" | sed -n "s/.*\"$1\":\"\\([^\"]*\\)\".*/\\1/p"; }
number() { printf '%s' "$job" | sed -n "s/.*\"$1\":\\([0-9][0-9]*\\).*/\\1/p"; }

job_id=$(field jobId)
mode=$(field mode)
prefix=$(field prefix)
epochs=$(number epochs)
[ -n "$job_id" ] && [ -n "$prefix" ] || { echo '{"event":"log","level":"error","message":"bad job document"}'; exit 2; }
[ -n "$epochs" ] || epochs=1

endpoint=${GAUNTLET_STORAGE_ENDPOINT:?}
region=${GAUNTLET_STORAGE_REGION:-us-east-1}
# s3://bucket/key/ → http://endpoint/bucket/key/ (path-style, as MinIO serves it)
base="${endpoint%/}/${prefix#s3://}"

put() { # put NAME CONTENT-TYPE FILE|-
  curl -sS --fail --retry 5 --retry-all-errors --retry-delay 1 \
    --aws-sigv4 "aws:amz:$region:s3" --user "$GAUNTLET_STORAGE_ACCESS_KEY:$GAUNTLET_STORAGE_SECRET_KEY" \
    -H "x-amz-content-sha256: UNSIGNED-PAYLOAD" -H "content-type: $2" \
    -X PUT --data-binary "@$3" -o /dev/null "$base$1"
}

# Run time in ms from the job id's checksum: the same job always runs as long.
min_ms=${1:-2000}
max_ms=${2:-8000}
sum=$(printf '%s' "$job_id" | cksum | cut -d ' ' -f 1)
total_ms=$((min_ms + sum % (max_ms - min_ms + 1)))
[ "$mode" = evaluate ] && total_ms=0
epoch_ms=$((total_ms / epochs))
seconds() { printf '%d.%03d' $(($1 / 1000)) $(($1 % 1000)); }

events=$(mktemp)
trap 'rm -f "$events"' EXIT
: >"$events"
emit() { printf '%s\n' "$1" | tee -a "$events"; }

e=1
accuracy=0
while [ "$e" -le "$epochs" ] && [ "$mode" != evaluate ]; do
  sleep "$(seconds "$epoch_ms")"
  # A made-up learning curve that depends on the job id: accuracy 0.5 … 0.99, rising with the epoch.
  accuracy=$(((sum % 400 + 500) + (e * 99 / epochs)))
  [ "$accuracy" -gt 990 ] && accuracy=990
  emit "{\"event\":\"metric\",\"name\":\"val_accuracy\",\"value\":0.$accuracy,\"epoch\":$e,\"split\":\"valid\"}"
  emit "{\"event\":\"metric\",\"name\":\"val_loss\",\"value\":$((1000 - accuracy)).0e-3,\"epoch\":$e,\"split\":\"valid\"}"
  # A checkpoint every epoch, as the reference trainer does (each one closes an epoch: one progress signal per epoch).
  printf 'fake checkpoint of %s, epoch %d\n' "$job_id" "$e" | put checkpoint.txt text/plain -
  emit "{\"event\":\"checkpoint\",\"uri\":\"${prefix}checkpoint.txt\",\"epoch\":$e}"
  put events.jsonl application/x-ndjson "$events"
  e=$((e + 1))
done

finished=$(date -u +%Y-%m-%dT%H:%M:%S.%3NZ)
if [ "$mode" = evaluate ]; then
  metrics='{"accuracy":0.95,"loss":0.05}'
  artifacts='{}'
else
  metrics="{\"val_accuracy\":0.$accuracy,\"val_loss\":$((1000 - accuracy)).0e-3}"
  artifacts="{\"checkpoint\":\"${prefix}checkpoint.txt\"}"
fi
printf '{"contract":"gauntlet.job/v1","jobId":"%s","mode":"%s","status":"succeeded","metrics":%s,"artifacts":%s,"details":{"fakeRunMs":%d},"device":"fake","startedAt":"%s","finishedAt":"%s","trainer":{"name":"fake-trainer.sh","version":"1"},"resumedFromEpoch":null}\n' \
  "$job_id" "$mode" "$metrics" "$artifacts" "$total_ms" "$started" "$finished" | put result.json application/json -
