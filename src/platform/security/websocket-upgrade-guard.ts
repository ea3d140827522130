import type { Server } from 'node:http';
import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { Security } from './security.ts';

/**
 * Counts WebSocket upgrades per address before graphql-ws sees them (WebSocketConnections.guardUpgrades). Nest's
 * GraphQL module listens for upgrades as it starts (onModuleInit); this runs once every module has started.
 */
@Injectable()
export class WebSocketUpgradeGuard implements OnApplicationBootstrap {
  constructor(
    @Inject(Security) private readonly security: Security,
    @Inject(HttpAdapterHost) private readonly host: HttpAdapterHost,
  ) {}

  onApplicationBootstrap(): void {
    const server = this.host.httpAdapter?.getHttpServer() as Server | undefined;
    if (server) this.security.connections.guardUpgrades(server);
  }
}
