import { Module } from '@nestjs/common';
import { CertificationResolver } from './certification.resolver.ts';
import { OwnerCoverageResolver } from './owner-coverage.resolver.ts';

@Module({ providers: [CertificationResolver, OwnerCoverageResolver] })
export class CertificationModule {}
