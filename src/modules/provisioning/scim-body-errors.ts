import type { NextFunction, Request, Response } from 'express';
import { ScimError, scimErrorBody } from './scim/index.ts';

/**
 * A request Express refuses before any controller runs would be answered in Nest's own format: under /scim it is
 * answered as SCIM's error (RFC 7644 §3.12), as every other refusal there is. Two kinds fail there: a body the parser
 * refuses (malformed, too large, not UTF-8) and a path whose percent-escapes are no UTF-8 (`/Users/%FF`), which fails
 * when the router decodes the id. ProvisioningModule mounts this once, behind the routes: Express hands an error to
 * the next error handler whichever middleware raised it, so that one place catches both.
 */
export function scimBodyErrors(error: unknown, req: Request, res: Response, next: NextFunction): void {
  const status = (error as { status?: unknown }).status;
  if (res.headersSent || typeof status !== 'number' || status < 400 || status >= 500) {
    next(error);
    return;
  }
  res.status(status).setHeader('content-type', 'application/scim+json; charset=utf-8');
  res.send(JSON.stringify(scimErrorBody(scimErrorOf(error, status))));
}

/** What was wrong, in a sentence of its own: the parser's and the router's messages quote the input. */
function scimErrorOf(error: unknown, status: number): ScimError {
  if (error instanceof URIError) return new ScimError(400, 'the path holds a percent-escape that is not UTF-8', 'invalidSyntax');
  switch (status) {
    case 413:
      return new ScimError(413, 'the request body is too large');
    case 415:
      return new ScimError(415, 'the request body must be JSON in UTF-8');
    case 400:
      return new ScimError(400, 'the request body is not valid JSON', 'invalidSyntax');
    default:
      return new ScimError(status, 'the request could not be read');
  }
}
