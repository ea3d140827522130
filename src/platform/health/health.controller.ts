import { Controller, Get, HttpCode, HttpException, Inject } from '@nestjs/common';
import { EVENT_SOURCING } from '../shared/tokens.ts';
import type { EventSourcing } from '../infrastructure/event-sourcing.ts';

@Controller('health')
export class HealthController {
  constructor(@Inject(EVENT_SOURCING) private readonly eventSourcing: EventSourcing) {}

  /** The process answers: restart it if not. */
  @Get('live')
  @HttpCode(200)
  live() {
    return { status: 'ok' };
  }

  /** Ready only when the database, the event store and every projection are up: send it traffic if so. */
  @Get('ready')
  async ready() {
    const checks: Record<string, { ok: boolean; detail?: string }> = {};
    await Promise.all([
      this.eventSourcing.pool.query('SELECT 1').then(
        () => (checks.database = { ok: true }),
        (e: Error) => (checks.database = { ok: false, detail: e.message }),
      ),
      this.eventSourcing.store.headPosition().then(
        () => (checks.eventStore = { ok: true }),
        (e: Error) => (checks.eventStore = { ok: false, detail: e.message }),
      ),
      // Failures only, no lag: counting the lags costs a count per projection (on EventStoreDB, a read of the events
      // the log index has not reached), which a probe called every few seconds need not pay.
      this.eventSourcing.runner.failures().then(
        (failed) => {
          checks.projections =
            failed.length === 0 ? { ok: true } : { ok: false, detail: failed.map((f) => `${f.name}: ${f.error}`).join('; ') };
        },
        (e: Error) => (checks.projections = { ok: false, detail: e.message }),
      ),
    ]);
    const ok = Object.values(checks).every((c) => c.ok);
    if (!ok) throw new HttpException({ status: 'unavailable', checks }, 503);
    return { status: 'ok', checks };
  }
}
