import type { NextFunction, Request, Response } from 'express';
import { ScimError, scimErrorBody } from './scim/index.ts';

/**
 * A body the JSON parser refuses (malformed, too large) fails before any controller runs, and Nest would answer it in
 * its own format: under /scim it is answered as SCIM's error (RFC 7644 §3.12), as every other refusal there is.
 * Mounted by the composition root right after the body parser.
 */
export function scimBodyErrors(error: unknown, req: Request, res: Response, next: NextFunction): void {
  const status = (error as { status?: unknown }).status;
  if (res.headersSent || typeof status !== 'number' || status < 400 || status >= 500) {
    next(error);
    return;
  }
  const detail = status === 413 ? 'the request body is too large' : 'the request body is not valid JSON';
  res.status(status).setHeader('content-type', 'application/scim+json; charset=utf-8');
  res.send(JSON.stringify(scimErrorBody(new ScimError(status, detail, status === 400 ? 'invalidSyntax' : undefined))));
}
