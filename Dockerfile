# template-drift GitHub App. Build: docker build -t template-drift .
# Run:   docker run -p 3000:3000 -e APP_ID=... -e PRIVATE_KEY="$(cat key.pem)" -e WEBHOOK_SECRET=... template-drift
# Workers only (with REDIS_URL): docker run -e REDIS_URL=... -e APP_ID=... -e PRIVATE_KEY=... template-drift node dist/app/worker.js

FROM node:20-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY scripts/bundle-cli.js ./scripts/
RUN npm run build

FROM node:20-slim
# git does every clone, merge-file and push; ca-certificates lets it reach GitHub over HTTPS;
# tini is PID 1: it forwards SIGTERM to node and reaps git processes a stopped job left behind;
# python3 runs cookiecutter templates' hooks (only with TEMPLATE_DRIFT_TRUST_HOOKS=true), which
# util-linux's unshare (already in the image) confines; that needs a container runtime allowing
# user namespaces and mounts inside them. util-linux's prlimit holds a cookiecutter template's
# render process to its memory limit.
RUN apt-get update \
 && apt-get install -y --no-install-recommends git ca-certificates tini python3 \
 && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production \
    PORT=3000 \
    TEMPLATE_DRIFT_CACHE_DIR=/home/node/.cache/template-drift
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund --ignore-scripts && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY app.yml ./
USER node
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/ping').then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))"
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "dist/app/server.js"]
