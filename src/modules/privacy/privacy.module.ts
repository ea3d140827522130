import { Module } from '@nestjs/common';
import { PrivacyResolver } from './privacy.resolver.ts';

@Module({ providers: [PrivacyResolver] })
export class PrivacyModule {}
