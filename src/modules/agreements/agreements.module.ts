import { Module } from '@nestjs/common';
import { AgreementsResolver } from './agreements.resolver.ts';

@Module({ providers: [AgreementsResolver] })
export class AgreementsModule {}
