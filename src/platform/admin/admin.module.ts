import { Module } from '@nestjs/common';
import { AdminController } from './admin.controller.ts';

/** Serves the admin console at /admin (see admin/ for its source). */
@Module({ controllers: [AdminController] })
export class AdminModule {}
