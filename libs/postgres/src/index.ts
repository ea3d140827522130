export {
  startLocalPostgres,
  startDetachedLocalPostgres,
  findFreePort,
  type LocalPostgres,
  type LocalPostgresOptions,
} from './local-postgres.ts';
export { runMigrations, type Migration } from './migrations.ts';
export { endPoolFully, guardPoolClients, isUnavailableError } from './connection-errors.ts';
