import { Module } from '@nestjs/common';
import { ScimController } from './scim.controller.ts';

@Module({ controllers: [ScimController] })
export class ProvisioningModule {}
