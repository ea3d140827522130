/**
 * SCIM errors (RFC 7644 §3.12): every failure a SCIM client sees is an HTTP status and, for a 400, one of the
 * `scimType` keywords the RFC lists, so that Entra ID and Okta can tell a bad filter from a bad value in their logs.
 */
export const SCIM_ERROR_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:Error';

/** The `scimType` keywords of RFC 7644 §3.12, table 9. */
export type ScimType =
  | 'invalidFilter'
  | 'tooMany'
  | 'uniqueness'
  | 'mutability'
  | 'invalidSyntax'
  | 'invalidPath'
  | 'noTarget'
  | 'invalidValue'
  | 'invalidVers'
  | 'sensitive';

export class ScimError extends Error {
  override readonly name = 'ScimError';
  constructor(
    readonly status: number,
    /** Shown to the directory administrator as it is: it says what was wrong and, where it helps, what is accepted. */
    detail: string,
    readonly scimType?: ScimType,
  ) {
    super(detail);
  }
}

/** A 400 with a `scimType`: what every validation in this folder throws. */
export const scimBadRequest = (scimType: ScimType, detail: string): ScimError => new ScimError(400, detail, scimType);

export interface ScimErrorBody {
  schemas: [typeof SCIM_ERROR_SCHEMA];
  /** A string, as RFC 7644 §3.12 writes it ("status": "400"). */
  status: string;
  scimType?: ScimType;
  detail: string;
}

export function scimErrorBody(error: ScimError): ScimErrorBody {
  return {
    schemas: [SCIM_ERROR_SCHEMA],
    status: String(error.status),
    ...(error.scimType === undefined ? {} : { scimType: error.scimType }),
    detail: error.message,
  };
}
