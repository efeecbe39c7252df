# The web app: Next.js behind our small server (apps/web/server.ts). Build from the repository
# root: docker build -f deploy/web.Dockerfile .
# Its health check asks /api/health/live/ through the web's own /api proxy (exempt from the
# production HTTPS redirect): the server answers and reaches the API.

FROM node:24-bookworm-slim AS manifests
WORKDIR /src
COPY package.json package-lock.json ./
COPY apps/api/package.json apps/api/
COPY apps/web/package.json apps/web/
COPY packages/contract/package.json packages/contract/
COPY packages/shopify-sim/package.json packages/shopify-sim/
COPY bench/package.json bench/
COPY deploy/package.json deploy/

FROM manifests AS build
RUN npm ci --workspace @invpro/web --workspace @invpro/deploy --ignore-scripts --no-audit --no-fund
COPY deploy/bundle.ts deploy/
COPY packages/contract packages/contract
COPY apps/web apps/web
ENV NEXT_TELEMETRY_DISABLED=1
RUN npm run build --workspace @invpro/web \
 && node deploy/bundle.ts apps/web dist server=server.ts \
 && rm -rf apps/web/.next/cache

FROM manifests AS deps
RUN npm ci --workspace @invpro/web --omit=dev --ignore-scripts --no-audit --no-fund \
 && rm -rf node_modules/@invpro \
 && npm cache clean --force

FROM node:24-bookworm-slim
WORKDIR /app/apps/web
ENV NODE_ENV=production \
    NEXT_TELEMETRY_DISABLED=1 \
    DEBUG=false \
    WEB_HOST=0.0.0.0 \
    WEB_PORT=3000
COPY --from=deps /src/node_modules /app/node_modules
COPY --from=build /src/apps/web/package.json /src/apps/web/next.config.ts ./
COPY --from=build /src/apps/web/.next .next
COPY --from=build /src/apps/web/dist/ ./
USER node
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.WEB_PORT||3000)+'/api/health/live/',{signal:AbortSignal.timeout(4000)}).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "server.js"]
