import type { LocalPostgres } from '../../libs/postgres/src/index.ts';

export default async function globalTeardown(): Promise<void> {
  const server = (globalThis as { __localPostgres?: LocalPostgres }).__localPostgres;
  if (server) await server.stop();
}
