# The application image: one image for the `migrate`, `worker` and `api` services of docker-compose.yml
# (the command picks the npm script). TypeScript runs through tsx, as in development, so the
# workflow bundle is built from the same sources the tests run.
FROM node:20-bookworm-slim

WORKDIR /app

# Dependencies first, for the layer cache. devDependencies are installed too: tsx runs the code.
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund && npm cache clean --force

COPY . .
# The web console (web/ → dist/web), served by the API at /.
RUN npm run build:web

ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000
USER node
EXPOSE 3000

# The API by default; docker-compose.yml runs `npm run worker` and `npm run migrate` from this image too.
CMD ["npm", "run", "api"]
