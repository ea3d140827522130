// The embedded PostgreSQL's own process (see startDetachedLocalPostgres): started with the options it is sent over
// IPC, it answers the server's URL, stops the server when asked or when its parent goes away, then exits.
import { startLocalPostgres, type LocalPostgres, type LocalPostgresOptions } from './local-postgres.ts';

export type KeeperRequest = { readonly start: Omit<LocalPostgresOptions, 'log'> } | { readonly stop: true };
export type KeeperAnswer = { readonly started: string } | { readonly failed: string } | { readonly stopped: true };

let server: LocalPostgres | undefined;
let stopping: Promise<void> | undefined;

const send = (answer: KeeperAnswer) => process.send?.(answer);

function stop(): Promise<void> {
  stopping ??= (async () => {
    await server?.stop().catch(() => undefined);
    send({ stopped: true });
    process.disconnect?.();
    process.exit(0);
  })();
  return stopping;
}

process.on('message', (request: KeeperRequest) => {
  if ('stop' in request) {
    void stop();
    return;
  }
  // The server's own log is kept for a failure's message (as startLocalPostgres does), not printed.
  startLocalPostgres(request.start).then(
    (started) => {
      server = started;
      send({ started: started.serverUrl });
    },
    (error: unknown) => {
      send({ failed: error instanceof Error ? error.message : String(error) });
      process.exit(1);
    },
  );
});
// The service died (SIGKILL, a crash): nobody will ask any more; the server must not outlive it.
process.on('disconnect', () => void stop());
