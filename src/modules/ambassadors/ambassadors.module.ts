import { Module } from '@nestjs/common';
import { AmbassadorsResolver } from './ambassadors.resolver.ts';

@Module({ providers: [AmbassadorsResolver] })
export class AmbassadorsModule {}
