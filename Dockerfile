# The peer-comms controller worker in a container (docker-compose.yml builds it as "worker").
# Node 24 is LTS until 2028-04-30 (tag checked 2026-11-30). Two stages: the build stage has the
# dev dependencies and compiles dist/ (with the prebuilt workflow bundle); the runtime stage has
# production dependencies only, runs as the unprivileged "node" user under tini.
ARG NODE_IMAGE=node:24.21.0-trixie-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
COPY scripts ./scripts
COPY src ./src
# npm ci runs the prepare script: tsc, then scripts/bundle-workflows.mjs (dist/workflow-bundle.js)
RUN npm ci --no-audit --no-fund

FROM ${NODE_IMAGE} AS runtime
# The uid/gid the worker runs as: match the owner of the mounted keys, agent socket and
# credentials file (docker compose build --build-arg PEER_COMMS_UID=$(id -u) …).
ARG PEER_COMMS_UID=1000
ARG PEER_COMMS_GID=1000
RUN apt-get update \
  && apt-get install -y --no-install-recommends tini \
  && rm -rf /var/lib/apt/lists/* \
  && if [ "$PEER_COMMS_GID" != "$(id -g node)" ]; then groupmod -o -g "$PEER_COMMS_GID" node; fi \
  && if [ "$PEER_COMMS_UID" != "$(id -u node)" ]; then usermod -o -u "$PEER_COMMS_UID" node; fi \
  && mkdir -p /home/node/.peer-comms /home/node/.config/peer-comms /home/node/.ssh /home/node/.claude /run/peer-comms \
  && chown -R node:node /home/node /run/peer-comms \
  && chmod 0700 /home/node/.peer-comms /home/node/.ssh
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
# --ignore-scripts: no prepare (dist/ comes from the build stage), no install scripts
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
USER node
# peers.yaml, keys, known_hosts, the agent socket and the Claude credentials are mounted at run
# time, read-only (see docker-compose.yml and docs/deployment.md); nothing secret is in the image.
# tini is PID 1: it forwards SIGTERM so the worker drains and stops, and reaps children.
ENTRYPOINT ["/usr/bin/tini", "--", "node", "dist/cli/main.js"]
CMD ["worker"]
