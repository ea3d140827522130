import { existsSync } from 'node:fs';
import type * as Testcontainers from 'testcontainers';
import type { EventStore } from '#event-store';
import { withTimeout } from '#testing';
import { EventStoreDbEventStore } from '../src/eventstoredb/index.ts';
import { describeEventStoreContract } from './contract/event-store.contract.ts';

/**
 * The shared contract suite against EventStoreDB: the server named by EVENTSTORE_CONNECTION_STRING, or else one
 * started with testcontainers when a container runtime answers. With neither, the suite is registered as
 * skipped (so the summary says so) and one line says why.
 */

const IMAGE = 'eventstore/eventstore:24.10';
const DETECTION_TIMEOUT_MS = 5_000;
const CONTAINER_START_TIMEOUT_MS = 180_000;

type Target =
  | { readonly kind: 'server'; readonly connectionString: string }
  | { readonly kind: 'container' }
  | { readonly kind: 'none'; readonly why: string; readonly reason: string };

const target = await findTarget();
let connectionString = target.kind === 'server' ? target.connectionString : '';
let container: Testcontainers.StartedTestContainer | undefined;

if (target.kind === 'none') {
  const line = `[eventstoredb] contract suite skipped: EVENTSTORE_CONNECTION_STRING is not set and ${target.why} (${target.reason})`;
  process.stdout.write(`\n${line}\n`);
  describe.skip(`EventStoreDB (skipped: ${target.why}: ${target.reason})`, () => {
    describeEventStoreContract('EventStoreDB', unreachableFactory());
  });
} else {
  // The connection string itself is not printed: it may carry credentials.
  process.stdout.write(
    `\n[eventstoredb] contract suite runs against ${target.kind === 'server' ? 'EVENTSTORE_CONNECTION_STRING' : `a ${IMAGE} container`}\n`,
  );
  if (target.kind === 'container') {
    beforeAll(async () => {
      // A fixed host port: the store under test keeps its connection string across the restart test.
      const { findFreePort } = await import('#postgres');
      container = await startEventStoreContainer(await findFreePort());
      connectionString = `esdb://${container.getHost()}:${container.getMappedPort(2113)}?tls=false`;
    }, CONTAINER_START_TIMEOUT_MS);
    afterAll(async () => {
      await container?.stop();
    });
  }
  describeEventStoreContract('EventStoreDB', {
    create: async () => EventStoreDbEventStore.connect(connectionString),
    dispose: (store: EventStore) => store.close(),
    // No holdOpenAppend: EventStoreDB orders $all by commit, so there is no open-transaction window to test.
    // A restart only where the suite started the server itself; one named by EVENTSTORE_CONNECTION_STRING is left alone.
    ...(target.kind === 'container' ? { restartServer: () => container!.restart({ timeout: 10_000 }) } : {}),
  });
}

async function findTarget(): Promise<Target> {
  const fromEnv = process.env.EVENTSTORE_CONNECTION_STRING?.trim();
  if (fromEnv) return { kind: 'server', connectionString: fromEnv };
  const started = Date.now();
  let testcontainers: typeof Testcontainers;
  try {
    testcontainers = await import('testcontainers');
  } catch (error) {
    return { kind: 'none', why: 'testcontainers could not be loaded', reason: `Node ${process.version}: ${messageOf(error)}` };
  }
  try {
    await withTimeout(testcontainers.getContainerRuntimeClient(), DETECTION_TIMEOUT_MS, `no answer within ${DETECTION_TIMEOUT_MS} ms`);
    return { kind: 'container' };
  } catch (error) {
    const dockerHost = process.env.DOCKER_HOST ? `DOCKER_HOST=${process.env.DOCKER_HOST}` : 'DOCKER_HOST is not set';
    const socket = existsSync('/var/run/docker.sock') ? '/var/run/docker.sock exists' : 'no /var/run/docker.sock';
    return {
      kind: 'none',
      why: 'no container runtime was found',
      reason: `testcontainers: ${messageOf(error)}; ${dockerHost}, ${socket}; checked in ${Date.now() - started} ms`,
    };
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

async function startEventStoreContainer(hostPort: number): Promise<Testcontainers.StartedTestContainer> {
  const { GenericContainer, Wait } = await import('testcontainers');
  return new GenericContainer(IMAGE)
    .withEnvironment({
      EVENTSTORE_INSECURE: 'true',
      EVENTSTORE_RUN_PROJECTIONS: 'None',
      EVENTSTORE_START_STANDARD_PROJECTIONS: 'false',
      // On disk (the container's own layer), so that the restart test finds its data again.
      EVENTSTORE_MEM_DB: 'false',
    })
    .withExposedPorts({ container: 2113, host: hostPort })
    .withWaitStrategy(Wait.forHttp('/health/live', 2113).forStatusCodeMatching((status) => status >= 200 && status < 300))
    .withStartupTimeout(CONTAINER_START_TIMEOUT_MS - 10_000)
    .start();
}

/** Never called: the suite is registered skipped, only so the summary lists what did not run. */
function unreachableFactory() {
  return {
    create: (): Promise<EventStore> => Promise.reject(new Error('skipped suite')),
    dispose: async () => undefined,
  };
}
