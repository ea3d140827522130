#!/bin/sh
# The image's entry point: the service, once it is known to have a database.
# The image keeps no data of its own: without DATABASE_URL the service would start its embedded PostgreSQL under
# /app (owned by root, the service runs as `node`) and fail there with a file-system error that does not say why.
set -eu
if [ -z "${DATABASE_URL:-}" ]; then
  cat >&2 <<'MESSAGE'
governance: DATABASE_URL is not set.
This image runs against a PostgreSQL of yours (read models and personal-data keys, and the events unless
EVENT_STORE=eventstoredb): set DATABASE_URL=postgres://user:password@host:5432/database.
The embedded PostgreSQL (used when DATABASE_URL is unset) is for development outside a container.
See docker/docker-compose.yml for the service with EventStoreDB and PostgreSQL.
MESSAGE
  exit 64
fi
# The flags of bench/production-node-options.ts (a spec keeps them equal), which says why each is there.
exec node --enable-source-maps --max-semi-space-size=32 --no-allocation-site-pretenuring dist/src/main.js "$@"
