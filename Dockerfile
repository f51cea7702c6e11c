# mailgun-mock as a container: build the TypeScript in one stage, run the bundled CLI on a slim
# image with production dependencies only, as the non-root `node` user.

FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: `prepare` would run the build before the sources are copied in.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json tsconfig.ui.json ./
COPY scripts/build-ui.mjs scripts/build-fixture-validator.mjs scripts/build-cli.mjs scripts/cli-loader.cjs ./scripts/
COPY src ./src
COPY fixtures ./fixtures
RUN npm run build

FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: `prepare` runs tsc, which is a devDependency and has nothing to build here.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY fixtures ./fixtures
# The data file lives on /data; the directory must belong to `node` before the volume is declared,
# so that a fresh named volume is writable by it.
RUN mkdir -p /data && chown node:node /data
USER node
# Inside a container the mock must be reachable from outside it. Set options through
# MAILGUN_MOCK_* variables (e.g. MAILGUN_MOCK_DATA=/data/state.json) rather than flags, so the
# HEALTHCHECK, which reads the same variables, probes the same port.
ENV MAILGUN_MOCK_HOST=0.0.0.0 \
    MAILGUN_MOCK_PORT=8465
EXPOSE 8465 8466
VOLUME /data
HEALTHCHECK --interval=10s --timeout=5s --start-period=5s --retries=3 \
  CMD ["node", "/app/dist/cli/mailgun-mock.cjs", "healthcheck"]
# The CLI handles SIGTERM itself (graceful stop, store flushed), so it can run as PID 1.
ENTRYPOINT ["node", "/app/dist/cli/mailgun-mock.cjs"]
CMD []
