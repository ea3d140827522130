import { Controller, Get, Inject, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { EventStoreUnavailableError, GovernanceEventStore, type LogPosition } from '#event-store';
import { PostgresEventStore } from '#event-store/postgres';
import { UnauthenticatedError, type RequestContext } from '../../platform/auth/request-context.ts';
import { IdentityProviderUnavailableError, InvalidTokenError, TokenVerifier } from '../../platform/auth/token-verifier.ts';
import type { EventSourcing } from '../../platform/infrastructure/event-sourcing.ts';
import { EVENT_SOURCING } from '../../platform/shared/tokens.ts';
import { logger } from '../../platform/observability/logger.ts';
import { DomainError } from '../../platform/shared/domain-error.ts';
import { LogIntegrity, recordLogExport } from '../integrity/index.ts';
import { authorizeWholeLog, HISTORY_READERS } from './audit-access.ts';
import { exportChunks, exportFilter, postgresPageSizes } from './audit-export.ts';

const STATUS_OF: Record<string, number> = { BAD_USER_INPUT: 400, UNAUTHENTICATED: 401, FORBIDDEN: 403, NOT_FOUND: 404 };

/**
 * GET /audit/export?from=&to=&category= — the governance log as NDJSON: one event per line (metadata, hash,
 * personal fields of erased members "[redacted]"), oldest first, then a summary line with the count and the
 * SHA-256 of the event lines. Bearer token of an AUDITOR or COMMUNITY_MANAGER. Streamed page by page (pages of at
 * most EXPORT_PAGE_BYTES of events), each chunk written only once the client has taken the previous one, so memory
 * does not grow with the size of the export or of its events, and each concurrent export holds only its own page.
 */
@Controller('audit')
export class AuditExportController {
  constructor(
    @Inject(TokenVerifier) private readonly tokens: TokenVerifier,
    @Inject(EVENT_SOURCING) private readonly eventSourcing: EventSourcing,
    @Inject(GovernanceEventStore) private readonly events: GovernanceEventStore,
    @Inject(LogIntegrity) private readonly integrity: LogIntegrity,
  ) {}

  @Get('export')
  async export(@Req() req: Request, @Res() res: Response): Promise<void> {
    let chunks: AsyncGenerator<string>;
    try {
      const context = await this.context(req);
      const actor = authorizeWholeLog(context, 'exporting the governance log');
      const filter = exportFilter(req.query as Record<string, unknown>);
      logger.info('audit export', { actorId: actor.id, query: req.query });
      // Recorded (GovernanceLogExported in operator-log_exports) before a byte is served; bad parameters record nothing.
      await recordLogExport(this.events, this.eventSourcing.store, {
        actor,
        authority: `role:${HISTORY_READERS.find((role) => actor.roles.includes(role))!}`,
        correlationId: context.correlationId,
        scope: exportScope(req.query as Record<string, unknown>),
      });
      // Pages cut by bytes where the store can tell sizes without reading the events (PostgreSQL), else by count.
      const sizes = this.eventSourcing.store instanceof PostgresEventStore ? postgresPageSizes(this.eventSourcing.pool) : undefined;
      // Each line with what an auditor needs to check it offline, and the seals that cover it (src/modules/integrity).
      const proof = (through: LogPosition) => this.integrity.exportProof(through);
      chunks = exportChunks(this.eventSourcing.store, this.events, filter, sizes ? { sizes, proof } : { proof });
    } catch (error) {
      refuse(res, error);
      return;
    }
    try {
      let first = true;
      for await (const chunk of chunks) {
        if (first) {
          // Only once the first page was read, so that a failure to read anything is still an HTTP error status.
          res.status(200);
          res.setHeader('content-type', 'application/x-ndjson; charset=utf-8');
          res.setHeader('content-disposition', 'attachment; filename="governance-log.ndjson"');
          res.setHeader('cache-control', 'no-store');
          first = false;
        }
        if (res.destroyed) break; // the client went away
        if (!res.write(chunk)) await drained(res);
      }
      res.end();
    } catch (error) {
      if (!res.headersSent) {
        refuse(res, error);
        return;
      }
      // Half an export must not look like a whole one: the connection is cut before the summary line.
      logger.error('audit export failed while streaming', { error: (error as Error).message });
      res.destroy();
      res.end();
    }
  }

  private async context(req: Request): Promise<RequestContext> {
    const correlationId = (req as Request & { correlationId?: string }).correlationId ?? '';
    const header = req.headers.authorization;
    if (typeof header !== 'string' || header.trim() === '') return { actor: null, correlationId };
    const match = /^Bearer\s+(\S+)$/i.exec(header.trim());
    if (!match) throw new InvalidTokenError('the Authorization header must be "Bearer <token>"');
    return { actor: await this.tokens.verify(match[1]!), correlationId };
  }
}

/** The export's parameters as asked (already checked by exportFilter), dates in ISO 8601 UTC. */
function exportScope(query: Record<string, unknown>) {
  const given = (key: string): string | null => {
    const value = query[key];
    return typeof value === 'string' ? value : null;
  };
  const date = (key: string) => {
    const value = given(key);
    return value === null ? null : new Date(value).toISOString();
  };
  return { from: date('from'), to: date('to'), category: given('category') };
}

/** Resolves once the response can take more, or once the client has gone. */
function drained(res: Response): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

/**
 * A refused export answers as GraphQL does (src/platform/graphql/format-error.ts): `{ errors: [{ message, extensions: { code,
 * ... } }] }`, with the HTTP status of the code, so that a client handles both the same way.
 */
function refuse(res: Response, error: unknown): void {
  let status = 500;
  let message = 'internal error';
  let extensions: Record<string, unknown> = { code: 'INTERNAL_SERVER_ERROR' };
  if (error instanceof DomainError) {
    status = STATUS_OF[error.code] ?? 400;
    message = error.message;
    extensions = { code: error.code, ...(error.details ?? {}) };
  } else if (error instanceof UnauthenticatedError || error instanceof InvalidTokenError) {
    status = 401;
    message = error.message;
    extensions = { code: 'UNAUTHENTICATED' };
    res.setHeader('www-authenticate', 'Bearer');
  } else if (error instanceof IdentityProviderUnavailableError || error instanceof EventStoreUnavailableError) {
    status = 503;
    message = 'the service cannot reach the identity provider or its database right now; try again shortly';
    extensions = { code: 'INTERNAL_SERVER_ERROR', retryable: true };
  } else {
    logger.error('audit export failed', { error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  }
  res.status(status).json({ errors: [{ message, extensions }] });
}
