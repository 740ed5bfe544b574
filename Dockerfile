# The peer-comms controller worker in a container (used by docker-compose.yml).
FROM node:20-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
COPY scripts ./scripts
COPY src ./src
RUN npm ci --no-audit --no-fund && npm prune --omit=dev
ENV NODE_ENV=production
# peers.yaml, the SSH key and known_hosts are mounted at run time (see docker-compose.yml).
ENTRYPOINT ["node", "dist/cli/main.js"]
CMD ["worker"]
