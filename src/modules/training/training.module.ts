import { Module } from '@nestjs/common';
import { TrainingResolver } from './training.resolver.ts';

@Module({ providers: [TrainingResolver] })
export class TrainingModule {}
