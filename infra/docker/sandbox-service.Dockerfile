# syntax=docker/dockerfile:1.7
# sandbox-service: Sandbox API (+ the BullMQ dashboard at /admin/queues); the same image runs the worker with `node apps/sandbox-service/dist/worker.js`.
# Build from the repository root: docker build -f infra/docker/sandbox-service.Dockerfile .
# Stages: prune (only this app and the workspace packages it uses), build (install + compile),
# runtime (production dependencies and dist/ only, as the unprivileged `node` user).
ARG NODE_VERSION=20

FROM node:${NODE_VERSION}-bookworm-slim AS base
ENV PNPM_HOME=/pnpm PATH=/pnpm:$PATH CI=true
# corepack installs the pnpm version pinned in package.json (packageManager).
RUN corepack enable
WORKDIR /repo

FROM base AS prune
COPY . .
RUN pnpm dlx turbo@2.5 prune @switchboard/sandbox-service --docker

FROM base AS build
# Dependency manifests first, so the install layer is cached until a package.json changes.
COPY --from=prune /repo/out/json/ .
RUN --mount=type=cache,id=pnpm-store,target=/pnpm/store pnpm install --frozen-lockfile
COPY --from=prune /repo/out/full/ .
RUN pnpm exec turbo run build --filter=@switchboard/sandbox-service
# Drop dev dependencies (TypeScript, vitest, ...) from node_modules.
RUN --mount=type=cache,id=pnpm-store,target=/pnpm/store pnpm install --prod --frozen-lockfile --offline

FROM node:${NODE_VERSION}-bookworm-slim AS runtime
ENV NODE_ENV=production PORT=3001
WORKDIR /app
COPY --from=build --chown=node:node /repo/package.json /repo/pnpm-workspace.yaml ./
COPY --from=build --chown=node:node /repo/node_modules ./node_modules
COPY --from=build --chown=node:node /repo/packages ./packages
COPY --from=build --chown=node:node /repo/apps/sandbox-service/package.json ./apps/sandbox-service/package.json
COPY --from=build --chown=node:node /repo/apps/sandbox-service/node_modules ./apps/sandbox-service/node_modules
COPY --from=build --chown=node:node /repo/apps/sandbox-service/dist ./apps/sandbox-service/dist
COPY --from=build --chown=node:node /repo/apps/sandbox-service/lua ./apps/sandbox-service/lua
# Sandbox directories live here (the process driver runs tool executions below it).
RUN mkdir -p /var/lib/switchboard/sandboxes && chown -R node:node /var/lib/switchboard
USER node
EXPOSE 3001
# The same readiness endpoint HAProxy checks; 503 while draining.
HEALTHCHECK --interval=5s --timeout=2s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + process.env.PORT + '/health/ready').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# SIGTERM drains (readiness 503, then close); give it time before SIGKILL (compose: stop_grace_period).
STOPSIGNAL SIGTERM
CMD ["node", "apps/sandbox-service/dist/server.js"]
