# The Gauntlet worker (Temporal workflows + activities). Configured by GAUNTLET_* environment variables
# (worker/config.ts); storage credentials from a Secret; GAUNTLET_KUBECONFIG or in-cluster config for the
# kubernetes executor. Build from the repository root:
#   docker build -f deploy/docker/worker.Dockerfile -t gauntlet-worker:0.1.0 .
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npx tsc -p tsconfig.json && npm prune --omit=dev

FROM node:20-bookworm-slim
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
USER node
CMD ["node", "dist/worker/main.js"]
