import { Inject, Module, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { Express } from 'express';
import { scimBodyErrors } from './scim-body-errors.ts';
import { ScimController } from './scim.controller.ts';

@Module({ controllers: [ScimController] })
export class ProvisioningModule implements OnModuleInit {
  constructor(@Inject(HttpAdapterHost) private readonly adapter: HttpAdapterHost) {}

  /**
   * Nest registers the routes before this hook and its own error handler after it, so what is mounted here sees
   * /scim's errors that no controller answers first: a body the parser refused, or a malformed percent-escape in an
   * id, which fails in the router (see scim-body-errors.ts).
   */
  onModuleInit(): void {
    const app = this.adapter.httpAdapter?.getInstance<Express>();
    app?.use('/scim', scimBodyErrors);
  }
}
