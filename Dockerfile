# nodedesk app image: `docker build -t nodedesk .`, then run it with the environment of
# .env.example (or `docker compose --profile app up -d`, which also starts PostgreSQL and Redis).
FROM node:20.19-bookworm-slim
WORKDIR /app
# Dependencies first, so code changes do not reinstall them. The Prisma client is generated
# by postinstall (its CLI is a dev dependency), then dev dependencies are dropped.
COPY package.json package-lock.json prisma.config.ts ./
COPY prisma ./prisma
RUN npm ci --no-audit --no-fund && npm prune --omit=dev && npm cache clean --force
COPY . .
ENV NODE_ENV=production HTTP_PORT=8080
USER node
EXPOSE 8080
# `start` applies pending migrations first (safe with several replicas), then runs every role.
CMD ["node", "bin/nodedesk.cjs", "start"]
