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
# A 32 MB semi-space: what one request allocates (an insights series, about 100 MB) dies young instead of being
# promoted and collected by a major GC that stalls every request (README: Audit and insights).
exec node --enable-source-maps --max-semi-space-size=32 dist/src/main.js "$@"
