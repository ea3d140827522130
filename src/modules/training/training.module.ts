import { Module } from '@nestjs/common';
import { TRAINING_COMMAND_HANDLERS } from './training.commands.ts';
import { TrainingResolver } from './training.resolver.ts';

@Module({ providers: [TrainingResolver, ...TRAINING_COMMAND_HANDLERS] })
export class TrainingModule {}
