import { Module } from '@nestjs/common';
import { CERTIFICATION_COMMAND_HANDLERS } from './certification.commands.ts';
import { CertificationResolver } from './certification.resolver.ts';
import { OwnerCoverageResolver } from './owner-coverage.resolver.ts';

@Module({ providers: [CertificationResolver, OwnerCoverageResolver, ...CERTIFICATION_COMMAND_HANDLERS] })
export class CertificationModule {}
