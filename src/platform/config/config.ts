import { join, resolve } from 'node:path';
import { checkEventStoreDbConnectionString } from '#event-store';
import { DEFAULT_DELIVERY_SETTINGS, type DeliverySettings } from '../scheduling/background-work-gate.ts';

export type AuthConfig =
  | { readonly mode: 'oidc'; readonly issuer: string; readonly audience: string; readonly jwksUri: string | undefined }
  | { readonly mode: 'hs256'; readonly secret: string; readonly source: 'AUTH_JWT_SECRET' | 'generated development secret' };

export interface AppConfig {
  readonly nodeEnv: 'development' | 'production' | 'test';
  readonly host: string;
  readonly port: number;
  /** Unset: the service starts an embedded PostgreSQL with its data under `dataDir`. */
  readonly databaseUrl: string | undefined;
  readonly dataDir: string;
  readonly eventStore:
    | { readonly kind: 'postgres' }
    /** streamNamespace: never from the environment; the e2e suite's services share one server (NamespacedEventStore). */
    | { readonly kind: 'eventstoredb'; readonly connectionString: string; readonly streamNamespace?: string };
  /** Unresolved until start-up when the development secret has to be generated (see main.ts). */
  readonly auth: AuthConfig | { readonly mode: 'development' };
  /** How long a mutation waits for the read models it affects before answering. */
  readonly readModelWaitMs: number;
  /**
   * SHUTDOWN_GRACE_MS: after SIGTERM, how long /health/ready answers 503 while every other request is still served,
   * so that a load balancer stops sending traffic before the instance stops taking it (0: stop at once).
   */
  readonly shutdownGraceMs: number;
  readonly maxBodyBytes: number;
  /**
   * V8_WORKER_NICE: the scheduling priority (nice) main.ts gives V8's compiler and garbage-collector helper threads,
   * below the event loop's (src/platform/runtime/v8-worker-priority.ts); 0 leaves them alone.
   */
  readonly v8WorkerNice: number;
  /** How long after a moderation decision its author may appeal. */
  readonly appealWindowDays: number;
  /** Owners of a group moderate its cases only while certified (see the moderation module). */
  readonly certificationGate: boolean;
  /** How often the schedulers look for due work (sanction expiry). */
  readonly schedulerIntervalMs: number;
  /** Moves the clock the schedulers read (fault injection for `npm run soak`); 0 outside it, refused in production. */
  readonly schedulerClockOffsetMs: number;
  /** How many days before its expiry a certification is due for renewal (0: never before it expires). */
  readonly certificationRenewalWindowDays: number;
  /**
   * LEAVER_ERASURE_AFTER_DAYS: a member who left has their personal data erased this many days later (the retention
   * rule of src/modules/leavers); unset, never by itself (a privacy officer still can).
   */
  readonly leaverErasureAfterDays: number | null;
  /** E-mail notifications (src/modules/notifications). */
  readonly notifications: NotificationsConfig;
  /** Abuse limits and what browsers are allowed (src/platform/security). */
  readonly security: SecurityConfig;
  /** The admin console served at /admin (src/platform/admin). */
  readonly admin: AdminConsoleConfig;
  /** Signed seals of the governance log (src/modules/integrity). */
  readonly logSeal: LogSealConfig;
  /**
   * SCIM_TOKEN: a static bearer secret for the directory's provisioning client (/scim/v2), beside tokens with the
   * PROVISIONER role; unset, only such tokens are taken.
   */
  readonly scimToken: string | undefined;
}

export interface NotificationsConfig {
  /** SMTP_URL (smtp:// or smtps://, credentials in the URL); unset: every e-mail is recorded as not sent, never dropped. */
  readonly smtpUrl: string | undefined;
  /** NOTIFICATION_FROM: the sender of the e-mails. */
  readonly from: string;
  /** NOTIFICATION_MAX_AGE_HOURS: an event older than this when first seen is not told any more (recorded as skipped). */
  readonly maxAgeHours: number;
  /**
   * NOTIFICATION_DIGEST_HOUR (0 to 23, UTC, default 7): from this hour on, the day's digest for community managers is
   * compiled (once, whichever instance comes first) and mailed to those who subscribed to it.
   */
  readonly digestHour: number;
  /** Webhooks (src/modules/webhooks). */
  readonly webhooks: WebhooksConfig;
  /**
   * How the webhook and e-mail deliveries of an instance, together, share it with the API (background-work-gate.ts):
   * DELIVERY_CONCURRENCY sends in flight at once while no request is (default 16), DELIVERY_MAX_PER_SECOND sends a
   * second at most (default 0: no cap).
   */
  readonly delivery: DeliverySettings;
}

export interface WebhooksConfig {
  /**
   * WEBHOOK_SIGNING_KEY (at least 32 characters): every webhook's secret is derived from it, so every instance needs
   * the same one. Unset outside production: generated under DATA_DIR. Unset in production: webhooks cannot be registered.
   */
  readonly signingKey: string | undefined;
  /** WEBHOOK_ALLOW_LOCAL=on: webhooks may call this host and link-local addresses (off: refused, see webhook-address.ts). */
  readonly allowLocal: boolean;
  /** WEBHOOK_DISABLE_AFTER_HOURS: a webhook whose every attempt failed for this long is disabled (default 24). */
  readonly disableAfterHours: number;
  /** WEBHOOK_INTERVAL_MS: how often each instance looks for events to deliver (default 1000). */
  readonly intervalMs: number;
}

export interface LogSealConfig {
  /** LOG_SEALING: on by default (off by default under NODE_ENV=test, whose services live seconds). */
  readonly enabled: boolean;
  /** LOG_SEAL_PRIVATE_KEY_FILE: the Ed25519 key (PKCS#8 PEM); unset outside production: generated under DATA_DIR. */
  readonly privateKeyFile: string | undefined;
  /** LOG_SEAL_INTERVAL_MS: the longest an event waits for a seal. */
  readonly intervalMs: number;
  /** LOG_SEAL_EVERY_EVENTS: a seal as soon as this many events are unsealed. */
  readonly everyEvents: number;
  /** LOG_SEAL_WITNESS_DIR: each seal is also written there as a file, a copy outside the database. */
  readonly witnessDir: string | undefined;
}

export interface AdminConsoleConfig {
  /** Where the console's built files are (`npm run build:admin`): ADMIN_BUNDLE_DIR, default ./dist/admin. */
  readonly bundleDir: string;
  /** The OIDC client (public, authorization code with PKCE) the console signs in with: ADMIN_OIDC_CLIENT_ID. */
  readonly oidcClientId: string | undefined;
}

export interface SecurityConfig {
  /** Requests per minute per member (per address without a valid token), token bucket: RATE_LIMIT_PER_MINUTE; 0 is off. */
  readonly rateLimitPerMinute: number;
  /** Live subscriptions per member (per address without a valid token): MAX_SUBSCRIPTIONS_PER_TOKEN. */
  readonly maxSubscriptionsPerToken: number;
  /**
   * Open WebSocket connections per address until they authenticate (a valid token in connection_init), and per member
   * after: MAX_WS_CONNECTIONS_PER_ADDRESS.
   */
  readonly maxWsConnectionsPerAddress: number;
  /** Origins whose pages may call the API from a browser (CORS): ADMIN_ORIGIN, comma-separated; none: same origin only. */
  readonly adminOrigins: readonly string[];
}

const TEN_YEARS_MS = 10 * 365 * 86_400_000;

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: readonly string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/** Reads and validates the environment; every wrong value is reported at once, each with what would be right. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const problems: string[] = [];
  const nodeEnv = oneOf(env, 'NODE_ENV', ['development', 'production', 'test'] as const, 'development', problems);
  const port = integer(env, 'PORT', 3000, 0, 65535, problems);
  const readModelWaitMs = integer(env, 'READ_MODEL_WAIT_MS', 5000, 1, 60000, problems);
  const shutdownGraceMs = integer(env, 'SHUTDOWN_GRACE_MS', 0, 0, 120_000, problems);
  const maxBodyBytes = integer(env, 'MAX_BODY_BYTES', 2 * 1024 * 1024, 1024, 64 * 1024 * 1024, problems);
  const v8WorkerNice = integer(env, 'V8_WORKER_NICE', 19, 0, 19, problems);
  const certificationGate = oneOf(env, 'CERTIFICATION_GATE', ['on', 'off'] as const, 'on', problems) === 'on';
  const appealWindowDays = integer(env, 'APPEAL_WINDOW_DAYS', 30, 1, 3650, problems);
  const schedulerIntervalMs = integer(env, 'SCHEDULER_INTERVAL_MS', 30_000, 100, 3_600_000, problems);
  const certificationRenewalWindowDays = integer(env, 'CERTIFICATION_RENEWAL_WINDOW_DAYS', 60, 0, 3650, problems);
  const leaverErasureAfterDays = env.LEAVER_ERASURE_AFTER_DAYS?.trim()
    ? integer(env, 'LEAVER_ERASURE_AFTER_DAYS', 0, 0, 36_500, problems)
    : null;
  const smtpUrl = env.SMTP_URL?.trim() || undefined;
  if (smtpUrl && !/^smtps?:\/\/[^\s]+$/.test(smtpUrl)) problems.push('SMTP_URL must be an smtp:// or smtps:// URL');
  const notifications: NotificationsConfig = {
    smtpUrl,
    from: env.NOTIFICATION_FROM?.trim() || 'Community team <no-reply@governance.invalid>',
    maxAgeHours: integer(env, 'NOTIFICATION_MAX_AGE_HOURS', 72, 1, 24 * 365, problems),
    digestHour: integer(env, 'NOTIFICATION_DIGEST_HOUR', 7, 0, 23, problems),
    webhooks: webhooksConfig(env, nodeEnv, problems),
    delivery: {
      concurrency: integer(env, 'DELIVERY_CONCURRENCY', DEFAULT_DELIVERY_SETTINGS.concurrency, 1, 256, problems),
      maxPerSecond: integer(env, 'DELIVERY_MAX_PER_SECOND', DEFAULT_DELIVERY_SETTINGS.maxPerSecond, 0, 100_000, problems),
    },
  };
  const schedulerClockOffsetMs = integer(env, 'SCHEDULER_CLOCK_OFFSET_MS', 0, -TEN_YEARS_MS, TEN_YEARS_MS, problems);
  if (schedulerClockOffsetMs !== 0 && nodeEnv === 'production') {
    problems.push(
      'SCHEDULER_CLOCK_OFFSET_MS makes the schedulers act on a wrong date (fault injection for npm run soak): not with NODE_ENV=production',
    );
  }
  const host = env.HOST?.trim() || '127.0.0.1';
  // Read by the logger itself (it logs before configuration is loaded); checked here so a typo does not pass silently.
  oneOf(env, 'LOG_LEVEL', ['debug', 'info', 'warn', 'error', 'silent'] as const, 'info', problems);

  const databaseUrl = env.DATABASE_URL?.trim() || undefined;
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) problems.push('DATABASE_URL must be a postgres:// or postgresql:// URL');

  const kind = oneOf(env, 'EVENT_STORE', ['postgres', 'eventstoredb'] as const, 'postgres', problems);
  let eventStore: AppConfig['eventStore'] = { kind: 'postgres' };
  if (kind === 'eventstoredb') {
    const connectionString = env.EVENTSTORE_CONNECTION_STRING?.trim();
    if (!connectionString)
      problems.push('EVENT_STORE=eventstoredb needs EVENTSTORE_CONNECTION_STRING (e.g. esdb://127.0.0.1:2113?tls=false)');
    else {
      // The same check the adapter makes, here so that a string the client cannot run on stops the start at once.
      const check = checkEventStoreDbConnectionString(connectionString);
      if (!check.ok) problems.push(`EVENTSTORE_CONNECTION_STRING ${check.problem}`);
      else eventStore = { kind: 'eventstoredb', connectionString };
    }
  }

  let auth: AppConfig['auth'] = { mode: 'development' };
  const issuer = env.AUTH_ISSUER?.trim();
  const audience = env.AUTH_AUDIENCE?.trim();
  const secret = env.AUTH_JWT_SECRET || undefined; // empty (e.g. from compose) counts as unset
  // Whoever holds a shared secret signs tokens for any member with any role, and every instance and tool that checks
  // tokens holds it: in production only when someone says so deliberately (main.ts then warns at every start).
  const sharedSecretAllowedInProduction =
    oneOf(env, 'AUTH_ALLOW_SHARED_SECRET_IN_PRODUCTION', ['true', 'false'] as const, 'false', problems) === 'true';
  if (issuer || audience) {
    if (!issuer || !audience) problems.push('AUTH_ISSUER and AUTH_AUDIENCE go together (OIDC: tokens from that issuer, for that audience)');
    else if (!/^https?:\/\//.test(issuer)) problems.push('AUTH_ISSUER must be an http(s) URL');
    else auth = { mode: 'oidc', issuer, audience, jwksUri: env.AUTH_JWKS_URI?.trim() || undefined };
  } else if (secret !== undefined) {
    if (secret.length < 32) problems.push('AUTH_JWT_SECRET must be at least 32 characters (it signs development tokens with HS256)');
    else if (nodeEnv === 'production' && !sharedSecretAllowedInProduction) {
      problems.push(
        'NODE_ENV=production with AUTH_JWT_SECRET: whoever holds the secret signs tokens for any member with any role; ' +
          'configure OIDC (AUTH_ISSUER and AUTH_AUDIENCE), or accept that deliberately with AUTH_ALLOW_SHARED_SECRET_IN_PRODUCTION=true',
      );
    } else auth = { mode: 'hs256', secret, source: 'AUTH_JWT_SECRET' };
  } else if (nodeEnv === 'production') {
    problems.push(
      'NODE_ENV=production needs authentication configured: AUTH_ISSUER and AUTH_AUDIENCE (OIDC), or AUTH_JWT_SECRET ' +
        'with AUTH_ALLOW_SHARED_SECRET_IN_PRODUCTION=true',
    );
  }

  // Tests drive the service far faster than a person could: under NODE_ENV=test the rate limit is off unless set.
  const rateLimitPerMinute = integer(env, 'RATE_LIMIT_PER_MINUTE', nodeEnv === 'test' ? 0 : 600, 0, 1_000_000, problems);
  const maxSubscriptionsPerToken = integer(env, 'MAX_SUBSCRIPTIONS_PER_TOKEN', 10, 1, 10_000, problems);
  const maxWsConnectionsPerAddress = integer(env, 'MAX_WS_CONNECTIONS_PER_ADDRESS', 20, 1, 100_000, problems);
  const adminOrigins = origins(env, 'ADMIN_ORIGIN', problems);

  const adminOidcClientId = env.ADMIN_OIDC_CLIENT_ID?.trim() || undefined;
  if (adminOidcClientId && !/^[\x21-\x7E]{1,200}$/.test(adminOidcClientId))
    problems.push('ADMIN_OIDC_CLIENT_ID must be 1 to 200 visible ASCII characters');

  const logSeal = logSealConfig(env, nodeEnv, problems);
  const scimToken = env.SCIM_TOKEN || undefined; // empty (e.g. from compose) counts as unset
  // A guessable secret would let anyone register and remove members: as long as the token signing secret.
  if (scimToken !== undefined && scimToken.length < 32) problems.push('SCIM_TOKEN must be at least 32 characters');

  if (problems.length > 0) throw new ConfigError(problems);
  return {
    nodeEnv,
    host,
    port,
    databaseUrl,
    dataDir: resolve(env.DATA_DIR?.trim() || '.data'),
    eventStore,
    auth,
    readModelWaitMs,
    shutdownGraceMs,
    maxBodyBytes,
    v8WorkerNice,
    appealWindowDays,
    certificationGate,
    schedulerIntervalMs,
    schedulerClockOffsetMs,
    certificationRenewalWindowDays,
    leaverErasureAfterDays,
    notifications,
    security: { rateLimitPerMinute, maxSubscriptionsPerToken, maxWsConnectionsPerAddress, adminOrigins },
    admin: { bundleDir: resolve(env.ADMIN_BUNDLE_DIR?.trim() || join('dist', 'admin')), oidcClientId: adminOidcClientId },
    logSeal,
    scimToken,
  };
}

function webhooksConfig(env: NodeJS.ProcessEnv, nodeEnv: AppConfig['nodeEnv'], problems: string[]): WebhooksConfig {
  const signingKey = env.WEBHOOK_SIGNING_KEY?.trim() || undefined;
  if (signingKey !== undefined && signingKey.length < 32) problems.push('WEBHOOK_SIGNING_KEY must be at least 32 characters');
  const allowLocal = oneOf(env, 'WEBHOOK_ALLOW_LOCAL', ['on', 'off'] as const, 'off', problems) === 'on';
  if (allowLocal && nodeEnv === 'production') {
    problems.push('WEBHOOK_ALLOW_LOCAL=on lets webhooks call this host and cloud metadata addresses: not with NODE_ENV=production');
  }
  return {
    signingKey,
    allowLocal,
    disableAfterHours: integer(env, 'WEBHOOK_DISABLE_AFTER_HOURS', 24, 1, 24 * 30, problems),
    intervalMs: integer(env, 'WEBHOOK_INTERVAL_MS', 1_000, 50, 3_600_000, problems),
  };
}

function logSealConfig(env: NodeJS.ProcessEnv, nodeEnv: AppConfig['nodeEnv'], problems: string[]): LogSealConfig {
  const enabled = oneOf(env, 'LOG_SEALING', ['on', 'off'] as const, nodeEnv === 'test' ? 'off' : 'on', problems) === 'on';
  const privateKeyFile = env.LOG_SEAL_PRIVATE_KEY_FILE?.trim() || undefined;
  // A key generated beside the data would let whoever can rewrite the data also re-sign it: production brings its own.
  if (enabled && nodeEnv === 'production' && !privateKeyFile) {
    problems.push(
      'NODE_ENV=production needs LOG_SEAL_PRIVATE_KEY_FILE (an Ed25519 private key, PKCS#8 PEM, e.g. `openssl genpkey -algorithm ed25519`) ' +
        'to sign the governance log, or LOG_SEALING=off to run without seals deliberately',
    );
  }
  return {
    enabled,
    privateKeyFile: privateKeyFile ? resolve(privateKeyFile) : undefined,
    intervalMs: integer(env, 'LOG_SEAL_INTERVAL_MS', 60_000, 100, 86_400_000, problems),
    everyEvents: integer(env, 'LOG_SEAL_EVERY_EVENTS', 10_000, 1, 10_000_000, problems),
    witnessDir: env.LOG_SEAL_WITNESS_DIR?.trim() ? resolve(env.LOG_SEAL_WITNESS_DIR.trim()) : undefined,
  };
}

function oneOf<T extends string>(env: NodeJS.ProcessEnv, name: string, allowed: readonly T[], fallback: T, problems: string[]): T {
  const value = env[name]?.trim();
  if (!value) return fallback;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  problems.push(`${name} must be one of ${allowed.join(', ')} (got "${value}")`);
  return fallback;
}

/** A comma-separated list of web origins (scheme, host, optional port; no path, no wildcard), normalised. */
function origins(env: NodeJS.ProcessEnv, name: string, problems: string[]): string[] {
  const found: string[] = [];
  for (const entry of (env[name] ?? '').split(',')) {
    const value = entry.trim();
    if (!value) continue;
    const url = URL.canParse(value) ? new URL(value) : undefined;
    if (!url || !/^https?:$/.test(url.protocol) || url.pathname !== '/' || url.search || url.hash || url.username || url.password) {
      problems.push(`${name} must list origins like https://admin.example.org or http://localhost:5173, comma-separated (got "${value}")`);
    } else if (!found.includes(url.origin)) found.push(url.origin);
  }
  return found;
}

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number, problems: string[]): number {
  const value = env[name]?.trim();
  if (!value) return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < min || parsed > max) {
    problems.push(`${name} must be a whole number from ${min} to ${max} (got "${value}")`);
    return fallback;
  }
  return parsed;
}
