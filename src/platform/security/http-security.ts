import { GraphQLSchemaHost } from '@nestjs/graphql';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';
import helmet from 'helmet';
import { TokenVerifier } from '../auth/token-verifier.ts';
import { Security, rateLimitedError } from './security.ts';

/** Paths the rate limit leaves alone: probes must answer however busy the API is; the console's static files are cheap. */
const UNLIMITED = [/^\/health(\/|$)/, /^\/admin(\/|$)/];

/**
 * The HTTP side of the security module, registered right after the request drain and before the body is read:
 * security headers on every answer, CORS for the configured admin origins only, and the rate limit per member.
 */
export function applyHttpSecurity(app: NestExpressApplication): void {
  const security = app.get(Security);
  const tokens = app.get(TokenVerifier);
  security.useSchema(() => app.get(GraphQLSchemaHost).schema);

  app.disable('x-powered-by');
  app.use(
    helmet({
      // The API answers JSON; the admin console (/admin) is served from this origin with scripts and styles of its own
      // files only, and may set a policy of its own for its pages.
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          'default-src': ["'self'"],
          'base-uri': ["'self'"],
          'script-src': ["'self'"],
          'style-src': ["'self'"],
          'img-src': ["'self'", 'data:'],
          'font-src': ["'self'"],
          'connect-src': ["'self'"],
          'object-src': ["'none'"],
          'form-action': ["'self'"],
          'frame-ancestors': ["'none'"],
        },
      },
      xFrameOptions: { action: 'deny' },
      referrerPolicy: { policy: 'no-referrer' },
    }),
  );

  const origins = security.config.security.adminOrigins;
  // No origin configured: no CORS headers at all, so a browser lets only pages of this origin read the answers.
  if (origins.length > 0) {
    app.enableCors({
      origin: [...origins],
      methods: ['GET', 'POST', 'OPTIONS'],
      allowedHeaders: ['authorization', 'content-type', 'x-correlation-id', 'apollo-require-preflight'],
      exposedHeaders: ['x-correlation-id', 'retry-after'],
      // Bearer tokens, no cookies.
      credentials: false,
      maxAge: 600,
    });
  }

  if (security.rateLimiter.enabled) {
    app.use(async (req: Request, res: Response, next: NextFunction) => {
      if (UNLIMITED.some((path) => path.test(req.path))) return next();
      const policy = security.rateLimitPathPolicy(req.path);
      if (policy && (await policy.exempt(req))) return next();
      const rate = await security.rateLimiter.take(security.keyOf(await verifiedActor(req, tokens), req.socket.remoteAddress));
      if (rate.allowed) return next();
      const error = rateLimitedError(rate);
      res.status(429).setHeader('retry-after', String(rate.retryAfterSeconds));
      if (policy) return policy.refuse(res, rate.retryAfterSeconds, error.message);
      res.json({
        errors: [{ message: error.message, extensions: { code: error.extensions.code, retryAfterSeconds: rate.retryAfterSeconds } }],
      });
    });
  }
}

/** The member a request's bearer token names, when it verifies; null otherwise (the handler then refuses it properly). */
async function verifiedActor(req: Request, tokens: TokenVerifier) {
  const match = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization?.trim() ?? '');
  if (!match) return null;
  try {
    return await tokens.verify(match[1]!);
  } catch {
    return null;
  }
}
