import { Inject, Module, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost, ModuleRef } from '@nestjs/core';
import type { Express } from 'express';
import { TokenVerifier } from '../../platform/auth/token-verifier.ts';
import type { AppConfig } from '../../platform/config/config.ts';
import { Security } from '../../platform/security/index.ts';
import { APP_CONFIG } from '../../platform/shared/tokens.ts';
import { scimBodyErrors } from './scim-body-errors.ts';
import { scimRateLimitPolicy } from './scim-rate-limit.ts';
import { ScimController } from './scim.controller.ts';

@Module({ controllers: [ScimController] })
export class ProvisioningModule implements OnModuleInit {
  constructor(
    @Inject(HttpAdapterHost) private readonly adapter: HttpAdapterHost,
    @Inject(ModuleRef) private readonly modules: ModuleRef,
  ) {}

  /**
   * Nest registers the routes before this hook and its own error handler after it, so what is mounted here sees
   * /scim's errors that no controller answers first: a body the parser refused, or a malformed percent-escape in an
   * id, which fails in the router (see scim-body-errors.ts).
   */
  onModuleInit(): void {
    const app = this.adapter.httpAdapter?.getInstance<Express>();
    app?.use('/scim', scimBodyErrors);
    // The rate limit asks this module who its provisioning client is (see scim-rate-limit.ts).
    const config = this.modules.get<AppConfig>(APP_CONFIG, { strict: false });
    this.modules
      .get(Security, { strict: false })
      .setRateLimitPathPolicy('/scim/', scimRateLimitPolicy(config.scimToken, this.modules.get(TokenVerifier, { strict: false })));
  }
}
