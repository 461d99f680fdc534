# The ws-echo server as a container image: the page, the echo, /healthz and
# /metrics on one port.
#
#   docker build -t ws-echo .
#   docker run --rm -p 1234:1234 ws-echo              # then open http://localhost:1234
#   docker run --rm -p 8080:8080 -e PORT=8080 -e LOG_LEVEL=debug ws-echo
#
# Settings are the server's environment variables (`-e NAME=value`; the list:
# `docker run --rm ws-echo node dist/server/main.js --help`). Keep PORT,
# BASE_PATH and the TLS ones as variables rather than flags: the HEALTHCHECK
# reads them.
# `docker stop` sends SIGTERM to node, which runs as PID 1: every client gets
# close 1001 "server shutting down", then node exits 0, within
# SHUTDOWN_GRACE_MS (5 s) and so before docker's 10 s stop timeout.
#
# NODE_IMAGE picks the Node base for both stages: the official image by
# default; `npm run test:container` passes one it builds locally.
ARG NODE_IMAGE=node:20-bookworm-slim

# Build: every dependency, then the page (Vite) and the server (tsc) into dist/.
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.base.json tsconfig.json tsconfig.build.json vite.config.ts ./
COPY server/ server/
COPY client/ client/
COPY public/ public/
RUN npm run build

# Runtime: production dependencies and dist/ only; no sources, tests or tools.
FROM ${NODE_IMAGE} AS runtime
LABEL org.opencontainers.image.title="ws-echo" \
      org.opencontainers.image.description="A WebSocket echo server (Express + ws) and a browser playground" \
      org.opencontainers.image.licenses="MIT"
# The server listens on 127.0.0.1 unless told otherwise; inside a container
# that would be unreachable through a published port.
ENV NODE_ENV=production HOST=0.0.0.0 PORT=1234
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist/ dist/
# The files stay root's, so the server cannot rewrite its own code. Numeric,
# so Kubernetes' runAsNonRoot can verify it: 1000 is the official image's
# `node` user (the locally built test base creates it too).
USER 1000:1000
EXPOSE 1234
# node itself, as slim images have no curl; http or https as the server serves.
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
  CMD ["node", "-e", "const tls = Boolean(process.env.TLS_CERT); require(tls ? 'node:https' : 'node:http').get({ host: '127.0.0.1', port: process.env.PORT || 1234, path: (process.env.BASE_PATH || '').trim().replace(/[/]+$/, '') + '/healthz', rejectUnauthorized: false, timeout: 4000 }, (res) => process.exit(res.statusCode === 200 ? 0 : 1)).on('timeout', () => process.exit(1)).on('error', () => process.exit(1))"]
# Exec form, so node is PID 1 and gets docker's SIGTERM itself. The V8 flags
# are server/v8-flags.ts's (test/server/v8-flags.test.ts keeps them in step).
CMD ["node", "--max-semi-space-size=2", "dist/server/main.js"]
