import { Global, Module, type DynamicModule } from '@nestjs/common';
import { LogIntegrity } from './log-integrity.ts';

/** Offers the LogIntegrity built at start-up (bootstrap.ts) to the audit API. */
@Global()
@Module({})
export class IntegrityModule {
  static with(integrity: LogIntegrity): DynamicModule {
    const providers = [{ provide: LogIntegrity, useValue: integrity }];
    return { module: IntegrityModule, providers, exports: [LogIntegrity] };
  }
}
