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
   * the errors of /scim's routes first: a malformed percent-escape in an id fails in the router, before the
   * controller, and would otherwise be answered in Nest's format.
   */
  onModuleInit(): void {
    const app = this.adapter.httpAdapter?.getInstance<Express>();
    app?.use('/scim', scimBodyErrors);
  }
}
