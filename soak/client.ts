/**
 * The load generator's HTTP side: GraphQL over fetch with per-request latency, the fault injector's dropped
 * connections (a request aborted mid-flight), and the command ledger. Every mutation carries a commandId; a network
 * error, an answer the service marks retryable, or an internal error (outcome unknown) is retried with the same
 * commandId until the service gives a definite answer: acknowledged (data, or "saved" although the read models did not
 * catch up in time) or refused (a 4xx-class code). What was acknowledged and refused is what the checker verifies.
 */
import type { Role } from '../src/platform/auth/role.ts';
import { signDevelopmentToken } from '../src/platform/auth/development-token.ts';
import { Counter, delay, errorMessage, now, type Random } from './util.ts';

export type CommandStatus = 'acknowledged' | 'refused' | 'unresolved';

export interface LedgerEntry {
  readonly kind: string;
  readonly actor: string;
  readonly commandId: string;
  /** As stored in the events' metadata: `<actor>/<commandId>`. */
  readonly storedCommandId: string;
  /** `change`: the command must have appended something when acknowledged; `maybe`: it may be a no-op. */
  readonly expect: 'change' | 'maybe';
  /** Event types this command may append, each at most once. */
  readonly allowed: readonly string[];
  /** The stream it is about, when known in advance (a report may land on a later case of the content). */
  readonly streamPrefix: string | null;
  status: CommandStatus;
  code: string | null;
  /** Acknowledged with `saved: true`: appended, but the read models did not catch up within READ_MODEL_WAIT_MS. */
  savedWithoutAnswer: boolean;
  attempts: number;
  readonly sentAt: string;
  answeredAt: string | null;
  /** What the answer showed, for the checker (e.g. the answer's revision). */
  answer: unknown;
}

export interface Discrepancy {
  readonly check: string;
  readonly detail: string;
  readonly data?: unknown;
}

type Answer =
  | { kind: 'answer'; status: number; body: { data?: Record<string, unknown> | null; errors?: GraphQLErrorBody[] } | null; text: string }
  | { kind: 'network'; aborted: boolean; error: string };

interface GraphQLErrorBody {
  message: string;
  extensions?: { code?: string; saved?: boolean; retryable?: boolean; [key: string]: unknown };
}

/** Dropped connections: while a window is open, each request is aborted with a probability, after 0-30 ms. */
export class DropWindow {
  private until = 0;
  private probability = 0;
  dropped = 0;
  open(ms: number, probability: number): void {
    this.until = now() + ms;
    this.probability = probability;
  }
  /** The delay after which this request is to be aborted, or null. */
  draw(random: Random): number | null {
    if (now() > this.until || !random.chance(this.probability)) return null;
    return random.int(0, 30);
  }
}

/**
 * A member the soak provisioned through SCIM (/scim/v2/Users), the only way the service learns e-mail addresses (the
 * directory's). SCIM carries no commandId: its idempotency key is the userName (a retry of a create that committed is
 * refused as a uniqueness conflict, with nothing recorded), so the checker expects exactly one MemberRegistered, with
 * no commandId, per provisioned member.
 */
export interface DirectoryEntry {
  readonly userName: string;
  readonly memberId: string;
  readonly email: string;
  status: CommandStatus;
  attempts: number;
}

/** The directory's provisioning client, as the soak's events show it (a token with the PROVISIONER role). */
export const SOAK_DIRECTORY_ACTOR = 'soak-directory';

export class SoakClient {
  readonly ledger: LedgerEntry[] = [];
  /** Members provisioned through SCIM, with the address the soak gave each. */
  readonly directory: DirectoryEntry[] = [];
  readonly discrepancies: Discrepancy[] = [];
  /** HTTP requests sent (every attempt of every operation). */
  sent = 0;
  readonly mutationLatencies: number[] = [];
  readonly queryLatencies: number[] = [];
  /** Attempts that failed and were retried (or given up), by cause. */
  readonly attemptFailures = new Counter();
  readonly refusedByCode = new Counter();
  readonly acknowledgedByKind = new Counter();
  readonly refusedByKind = new Counter();
  retriedCommands = 0;
  retries = 0;
  queries = 0;
  queryFailures = new Counter();
  /** Every failed attempt (mutation, query, SCIM) that was not a definite answer, by cause: retryable or not (classify). */
  readonly retryableSeen = new Counter();
  readonly nonRetryableByCause = new Counter();
  /** The first failed attempts that a client is not told it may retry (none expected: see classify). */
  readonly nonRetryableSeen: { at: string; operation: string; cause: string; message: string }[] = [];
  /** The first three of each retryable cause, for what they were. */
  readonly retryableFirst: { at: string; operation: string; cause: string; message: string }[] = [];
  private readonly tokens = new Map<string, Promise<string>>();
  private seq = 0;
  /** Commands still waiting for a definite answer. */
  readonly inFlight = new Set<LedgerEntry>();

  constructor(
    readonly url: string,
    private readonly secret: string,
    readonly drops: DropWindow,
    private readonly random: Random,
    /** How long a command keeps being retried before it is left unresolved. */
    private readonly commandDeadlineMs = 90_000,
  ) {}

  /**
   * A failed attempt as a client would judge it: retryable when nothing definite happened or the service says so:
   * no connection or no answer (NETWORK_ERROR; DROPPED_BY_SOAK, the soak's own abort), the load balancer's 502/503/504
   * (an instance gone mid-request, none ready), or an error the service marks `retryable`. Anything else (an internal
   * error without the mark, an answer without data, another HTTP status) leaves a client not knowing what to do.
   */
  private classify(operation: string, cause: string, message = ''): void {
    const retryable =
      cause === 'NETWORK_ERROR' || cause === 'DROPPED_BY_SOAK' || /^(HTTP|SCIM)_50[234]$/.test(cause) || cause.endsWith('(retryable)');
    if (retryable) {
      if (this.retryableSeen.get(cause) < 3)
        this.retryableFirst.push({ at: new Date().toISOString(), operation, cause, message: message.slice(0, 200) });
      return this.retryableSeen.add(cause);
    }
    this.nonRetryableByCause.add(cause);
    if (this.nonRetryableSeen.length < 20) {
      this.nonRetryableSeen.push({ at: new Date().toISOString(), operation, cause, message: message.slice(0, 200) });
    }
  }

  token(actor: string, roles: readonly Role[]): Promise<string> {
    const key = `${actor}|${roles.join(',')}`;
    let token = this.tokens.get(key);
    if (!token) {
      token = signDevelopmentToken(this.secret, actor, roles, '24h');
      this.tokens.set(key, token);
    }
    return token;
  }

  private async post(
    token: string,
    query: string,
    variables: Record<string, unknown>,
    droppable: boolean,
  ): Promise<Answer & { ms: number }> {
    const controller = new AbortController();
    const dropAfter = droppable ? this.drops.draw(this.random) : null;
    const timer = dropAfter === null ? undefined : setTimeout(() => controller.abort(), dropAfter);
    // A request the service never answers (a database that went away mid-query) must not hang a virtual user.
    const timeout = setTimeout(() => controller.abort(new Error('no answer within 30 s')), 30_000);
    this.sent++;
    const t0 = now();
    try {
      const response = await fetch(`${this.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ query, variables }),
        signal: controller.signal,
      });
      const text = await response.text();
      let body: Extract<Answer, { kind: 'answer' }>['body'] = null;
      try {
        body = JSON.parse(text) as typeof body;
      } catch {
        // not JSON (a proxy page, an empty answer): treated as no answer
      }
      return { kind: 'answer', status: response.status, body, text: text.slice(0, 300), ms: now() - t0 };
    } catch (error) {
      const aborted = dropAfter !== null && controller.signal.aborted;
      if (aborted) this.drops.dropped++;
      return { kind: 'network', aborted, error: errorMessage(error), ms: now() - t0 };
    } finally {
      clearTimeout(timer);
      clearTimeout(timeout);
    }
  }

  /**
   * Sends a mutation with a fresh commandId and retries it with the same one until the service answers definitely.
   * `validate` checks an answer that has data (read-your-writes): what it returns is a discrepancy.
   */
  async mutate<T = Record<string, unknown>>(spec: {
    kind: string;
    actor: string;
    roles: readonly Role[];
    document: string;
    field: string;
    input: Record<string, unknown>;
    expect: 'change' | 'maybe';
    allowed: readonly string[];
    streamPrefix?: string | null;
    validate?: (answer: T) => string | undefined;
  }): Promise<{ status: CommandStatus; code: string | null; data: T | null }> {
    const commandId = `${spec.kind}-${(++this.seq).toString(36)}-${this.random.int(0, 36 ** 4).toString(36)}`;
    const entry: LedgerEntry = {
      kind: spec.kind,
      actor: spec.actor,
      commandId,
      storedCommandId: `${spec.actor}/${commandId}`,
      expect: spec.expect,
      allowed: spec.allowed,
      streamPrefix: spec.streamPrefix ?? null,
      status: 'unresolved',
      code: null,
      savedWithoutAnswer: false,
      attempts: 0,
      sentAt: new Date().toISOString(),
      answeredAt: null,
      answer: null,
    };
    this.ledger.push(entry);
    this.inFlight.add(entry);
    const token = await this.token(spec.actor, spec.roles);
    const variables = { input: { ...spec.input, commandId } };
    const deadline = now() + this.commandDeadlineMs;
    try {
      for (let attempt = 0; ; attempt++) {
        if (attempt === 1) this.retriedCommands++;
        if (attempt > 0) this.retries++;
        entry.attempts++;
        const answer = await this.post(token, spec.document, variables, true);
        let cause: string;
        if (answer.kind === 'network') {
          cause = answer.aborted ? 'DROPPED_BY_SOAK' : 'NETWORK_ERROR';
        } else {
          if (answer.body) this.mutationLatencies.push(answer.ms);
          const error = answer.body?.errors?.[0];
          const data = answer.body?.data?.[spec.field];
          if (!error && data !== undefined && data !== null) {
            entry.status = 'acknowledged';
            entry.answeredAt = new Date().toISOString();
            entry.answer = summarise(data);
            this.acknowledgedByKind.add(spec.kind);
            const problem = spec.validate?.(data as T);
            if (problem) {
              this.discrepancies.push({
                check: 'answer',
                detail: `${spec.kind} ${entry.storedCommandId} (attempt ${entry.attempts}, sent ${entry.sentAt}): ${problem}`,
                data,
              });
            }
            return { status: 'acknowledged', code: null, data: data as T };
          }
          const code = error?.extensions?.code ?? (answer.body ? 'NO_DATA' : `HTTP_${answer.status}`);
          if (code === 'INTERNAL_SERVER_ERROR' && error?.extensions?.saved === true) {
            entry.status = 'acknowledged';
            entry.savedWithoutAnswer = true;
            entry.answeredAt = new Date().toISOString();
            this.acknowledgedByKind.add(spec.kind);
            return { status: 'acknowledged', code, data: null };
          }
          if (code.startsWith('GRAPHQL_') || code === 'BAD_REQUEST') {
            // The soak sent something the schema does not accept: its own bug, not a refusal of the service.
            this.discrepancies.push({ check: 'soak-request-invalid', detail: `${spec.kind}: ${code}: ${error?.message ?? ''}` });
          }
          if (code !== 'INTERNAL_SERVER_ERROR' && code !== 'NO_DATA' && !code.startsWith('HTTP_')) {
            entry.status = 'refused';
            entry.code = code;
            entry.answeredAt = new Date().toISOString();
            entry.answer = error?.message ?? null;
            this.refusedByCode.add(code);
            this.refusedByKind.add(spec.kind);
            return { status: 'refused', code, data: null };
          }
          cause = error?.extensions?.retryable ? `${code} (retryable)` : code;
        }
        this.attemptFailures.add(cause);
        this.classify(spec.kind, cause, answer.kind === 'network' ? answer.error : (answer.body?.errors?.[0]?.message ?? answer.text));
        if (now() > deadline) {
          entry.code = cause;
          return { status: 'unresolved', code: cause, data: null };
        }
        // Backoff: the service may be restarting (a few seconds) or its database away.
        await delay(Math.min(2_000, 100 * 2 ** Math.min(attempt, 5)) * (0.5 + this.random.next()));
      }
    } finally {
      this.inFlight.delete(entry);
    }
  }

  /**
   * Provisions a member through SCIM with a work address (created active), retried like a command until the service
   * answers definitely: 201 (created) or 409 (the userName exists: a retry of a create that committed, since every
   * userName the soak sends is new). Answers the member id the service gave, or null when it was refused or left
   * unresolved. 5xx and network errors (the service restarting, its database away) are retried.
   */
  async provision(user: { userName: string; email: string; displayName: string; preferredLanguage: string }): Promise<string | null> {
    const entry: DirectoryEntry = { userName: user.userName, memberId: '', email: user.email, status: 'unresolved', attempts: 0 };
    const token = await this.token(SOAK_DIRECTORY_ACTOR, ['PROVISIONER'] as Role[]);
    const body = JSON.stringify({
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
      userName: user.userName,
      displayName: user.displayName,
      active: true,
      preferredLanguage: user.preferredLanguage,
      emails: [{ value: user.email, type: 'work', primary: true }],
    });
    const deadline = now() + this.commandDeadlineMs;
    for (let attempt = 0; ; attempt++) {
      if (attempt > 0) this.retries++;
      entry.attempts++;
      this.sent++;
      let cause: string;
      try {
        const response = await fetch(`${this.url}/scim/v2/Users`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/scim+json' },
          body,
          signal: AbortSignal.timeout(30_000),
        });
        const answer = (await response.json().catch(() => null)) as { id?: string; detail?: string } | null;
        if (response.status === 201 || response.status === 409) {
          // The id is derived from the userName: a 409's detail names it, a 201 answers it.
          const id = answer?.id ?? /\(id ([^)]+)\)/.exec(answer?.detail ?? '')?.[1];
          if (!id) throw new Error(`SCIM answered ${response.status} without the member's id: ${JSON.stringify(answer)}`);
          entry.status = 'acknowledged';
          (entry as { memberId: string }).memberId = id;
          this.directory.push(entry);
          this.acknowledgedByKind.add('scimProvisionUser');
          return id;
        }
        if (response.status < 500) {
          entry.status = 'refused';
          this.directory.push(entry);
          this.refusedByCode.add(`SCIM_${response.status}`);
          this.discrepancies.push({
            check: 'scim-refused',
            detail: `SCIM refused ${user.userName}: ${response.status} ${answer?.detail ?? ''}`,
          });
          return null;
        }
        cause = `SCIM_${response.status}`;
      } catch (error) {
        cause = error instanceof Error && error.message.includes('without the member') ? 'SCIM_NO_ID' : 'NETWORK_ERROR';
      }
      this.attemptFailures.add(cause);
      this.classify('scimProvisionUser', cause);
      if (now() > deadline) {
        this.directory.push(entry);
        this.discrepancies.push({
          check: 'unresolved-command',
          detail: `SCIM provisioning of ${user.userName}: no definite answer (${cause})`,
        });
        return null;
      }
      await delay(Math.min(2_000, 100 * 2 ** Math.min(attempt, 5)) * (0.5 + this.random.next()));
    }
  }

  /** A query, retried a few times on network errors (a query changes nothing, so any retry is safe). */
  async query<T = Record<string, unknown>>(
    actor: string,
    roles: readonly Role[],
    document: string,
    variables: Record<string, unknown>,
  ): Promise<T | null> {
    const token = await this.token(actor, roles);
    for (let attempt = 0; attempt < 5; attempt++) {
      this.queries++;
      const answer = await this.post(token, document, variables, true);
      if (answer.kind === 'answer' && answer.body) {
        this.queryLatencies.push(answer.ms);
        const error = answer.body.errors?.[0];
        const code = error?.extensions?.code;
        if (!code && answer.body.data) return answer.body.data as T;
        this.queryFailures.add(code ?? 'NO_DATA');
        // Another code is a definite answer (the query was refused), not a failure.
        if (code === undefined || code === 'INTERNAL_SERVER_ERROR') {
          this.classify(
            'query',
            `${code ?? 'NO_DATA'}${error?.extensions?.retryable ? ' (retryable)' : ''}`,
            error?.message ?? answer.text,
          );
        }
        if (code !== 'INTERNAL_SERVER_ERROR') return null;
      } else {
        const cause = answer.kind === 'network' ? (answer.aborted ? 'DROPPED_BY_SOAK' : 'NETWORK_ERROR') : `HTTP_${answer.status}`;
        this.queryFailures.add(cause);
        this.classify('query', cause, answer.kind === 'network' ? answer.error : answer.text);
      }
      await delay(200 * 2 ** attempt);
    }
    return null;
  }

  /** A query that must succeed (seeding, checking): retried for up to a minute, then it throws. */
  async mustQuery<T = Record<string, unknown>>(
    actor: string,
    roles: readonly Role[],
    document: string,
    variables: Record<string, unknown> = {},
  ): Promise<T> {
    const token = await this.token(actor, roles);
    const deadline = now() + 60_000;
    for (;;) {
      const answer = await this.post(token, document, variables, false);
      if (answer.kind === 'answer' && answer.body?.data && !answer.body.errors) return answer.body.data as T;
      if (now() > deadline) {
        throw new Error(`query failed: ${answer.kind === 'answer' ? answer.text : answer.error}\n${document.slice(0, 200)}`);
      }
      await delay(500);
    }
  }
}

/** What the ledger keeps of an answer: ids, statuses and revisions, not whole read models. */
function summarise(data: unknown): unknown {
  if (Array.isArray(data)) return data.length;
  if (data && typeof data === 'object') {
    const record = data as Record<string, unknown>;
    const kept: Record<string, unknown> = {};
    for (const key of ['id', 'memberId', 'status', 'revision', 'level', 'acceptedVersion']) if (key in record) kept[key] = record[key];
    return kept;
  }
  return data;
}
