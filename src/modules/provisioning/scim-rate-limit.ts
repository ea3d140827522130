import type { Request, Response } from 'express';
import type { TokenVerifier } from '../../platform/auth/token-verifier.ts';
import type { RateLimitPathPolicy } from '../../platform/security/index.ts';
import { scimActor } from './scim-auth.ts';
import { ScimError, scimErrorBody } from './scim/index.ts';

/**
 * The rate limit at /scim/: the directory's provisioning client, once authenticated, provisions at its own pace (an
 * initial sync of thousands of users in minutes, which a limit meant for people would cut to a few users a second).
 * Everyone else (a wrong or missing token: someone guessing SCIM_TOKEN) is counted per address like any caller, and
 * refused in SCIM's error format.
 */
export function scimRateLimitPolicy(scimToken: string | undefined, tokens: TokenVerifier): RateLimitPathPolicy {
  return {
    async exempt(req: Request) {
      try {
        await scimActor(req.headers.authorization, scimToken, tokens);
        return true;
      } catch {
        return false;
      }
    },
    refuse(res: Response, retryAfterSeconds: number, message: string) {
      res.setHeader('content-type', 'application/scim+json; charset=utf-8');
      res.json(scimErrorBody(new ScimError(429, `${message} (retry after ${retryAfterSeconds} s)`)));
    },
  };
}
