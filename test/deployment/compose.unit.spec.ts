import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

// The cluster deployment cannot run here (no Docker engine), so what can be checked without one is checked: that the
// three EventStoreDB nodes point at each other and agree on the cluster's size, that the service reaches all of them,
// that the proxy targets the replicas on the port and health route the service has, and that every replica gets the
// secrets the replicas must share. `docker-compose config -q` checked the file's syntax by hand (README: Deployment).

interface ComposeService {
  readonly image?: string;
  readonly environment?: Record<string, string>;
  readonly ports?: string[];
  readonly deploy?: { readonly replicas?: number };
  readonly networks?: string[] | Record<string, { readonly ipv4_address?: string }>;
}
interface ComposeFile {
  readonly services: Record<string, ComposeService>;
  readonly networks: Record<string, { readonly ipam: { readonly config: { readonly subnet: string }[] } }>;
}

const compose = parse(readFileSync(new URL('../../docker/docker-compose.cluster.yml', import.meta.url), 'utf8'), {
  merge: true,
}) as ComposeFile;
const haproxy = readFileSync(new URL('../../docker/haproxy.cfg', import.meta.url), 'utf8');
const healthController = readFileSync(new URL('../../src/platform/health/health.controller.ts', import.meta.url), 'utf8');

const nodes = Object.entries(compose.services).filter(([, service]) => service.image?.startsWith('eventstore/eventstore:'));
const addressOf = (service: ComposeService) => {
  const networks = service.networks as Record<string, { ipv4_address?: string }>;
  return networks.cluster?.ipv4_address;
};

describe('the cluster deployment (docker/docker-compose.cluster.yml)', () => {
  test('three EventStoreDB nodes, each with a fixed address in the network, bound to it and seeded with the other two', () => {
    expect(nodes.map(([name]) => name)).toEqual(['esdb-node1', 'esdb-node2', 'esdb-node3']);
    const subnet = compose.networks.cluster!.ipam.config[0]!.subnet;
    const prefix = subnet.replace(/\.0\/24$/, '.');
    for (const [name, node] of nodes) {
      const address = addressOf(node);
      expect({ name, address: address?.startsWith(prefix) }).toEqual({ name, address: true });
      const env = node.environment!;
      expect(env).toMatchObject({
        EVENTSTORE_CLUSTER_SIZE: String(nodes.length),
        EVENTSTORE_DISCOVER_VIA_DNS: 'false',
        EVENTSTORE_NODE_IP: address,
        EVENTSTORE_REPLICATION_IP: address,
        EVENTSTORE_NODE_PORT: '2113',
      });
      const others = nodes.filter(([other]) => other !== name).map(([, other]) => `${addressOf(other)}:2113`);
      expect(env.EVENTSTORE_GOSSIP_SEED!.split(',').sort()).toEqual(others.sort());
    }
  });

  test('the service connects to every node, with the leader preferred, and runs as two replicas behind the proxy only', () => {
    const governance = compose.services.governance!;
    const [scheme, rest] = governance.environment!.EVENTSTORE_CONNECTION_STRING!.split('://');
    const [hosts, query] = rest!.split('?');
    expect(scheme).toBe('esdb');
    expect(hosts!.split(',').sort()).toEqual(nodes.map(([, node]) => `${addressOf(node)}:2113`).sort());
    expect(new URLSearchParams(query).get('nodePreference')).toBe('leader');
    expect(governance.deploy?.replicas).toBe(2);
    expect(governance.ports).toBeUndefined();
    expect(governance.environment).toMatchObject({ NODE_ENV: 'production', EVENT_STORE: 'eventstoredb' });
  });

  test('every replica gets the secrets the replicas must share, from the environment, none written here', () => {
    const env = compose.services.governance!.environment!;
    for (const name of [
      'AUTH_JWT_SECRET',
      'AUTH_ISSUER',
      'AUTH_AUDIENCE',
      'WEBHOOK_SIGNING_KEY',
      'SCIM_TOKEN',
      'LOG_SEAL_PRIVATE_KEY_FILE',
    ]) {
      expect({ name, value: env[name] }).toEqual({ name, value: `\${${name}:-}` });
    }
  });

  test('the proxy sends traffic to the replicas on the service port, only while their readiness route answers', () => {
    const template = /server-template\s+\S+\s+(\d+)\s+governance:(\d+)\s/.exec(haproxy);
    expect(template).not.toBeNull();
    expect(Number(template![1])).toBeGreaterThanOrEqual(compose.services.governance!.deploy!.replicas!);
    expect(template![2]).toBe('3000');
    expect(haproxy).toMatch(/option httpchk GET \/health\/ready/);
    expect(healthController).toMatch(/@Get\('ready'\)/);
    expect(compose.services.proxy!.networks).toContain('cluster');
    expect(compose.services.proxy!.ports).toEqual(['127.0.0.1:8080:8080']);
    expect(haproxy).toMatch(/bind :8080/);
  });

  test('a stopping replica says so for longer than the proxy takes to notice, so a rolling restart loses no request', () => {
    const checks = /check inter (\d+)s fall (\d+)/.exec(haproxy);
    expect(checks).not.toBeNull();
    const noticeMs = Number(checks![1]) * 1000 * Number(checks![2]);
    expect(Number(compose.services.governance!.environment!.SHUTDOWN_GRACE_MS)).toBeGreaterThan(noticeMs);
  });
});
