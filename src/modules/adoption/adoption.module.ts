import { Module } from '@nestjs/common';
import { AdoptionResolver } from './adoption.resolver.ts';

@Module({ providers: [AdoptionResolver] })
export class AdoptionModule {}
