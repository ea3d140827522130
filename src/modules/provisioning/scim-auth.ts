import { createHash, timingSafeEqual } from 'node:crypto';
import { Role } from '../../platform/auth/role.ts';
import { InvalidTokenError, type Actor, type TokenVerifier } from '../../platform/auth/token-verifier.ts';
import { ScimError } from './scim/index.ts';

/** Who calls with the static SCIM_TOKEN: the directory's provisioning client, recorded as the actor of its events. */
export const SCIM_TOKEN_ACTOR: Actor = { id: 'scim-provisioner', roles: [Role.PROVISIONER] };

/**
 * The provisioning client, from the Authorization header: the static SCIM_TOKEN (compared in constant time: a digest
 * of each, so that neither the length nor a prefix of the secret shows in the time taken), or a token of the issuer
 * with the PROVISIONER role (a client-credentials token). Anyone else is refused: 401 without a valid token, 403 with
 * one that is not a provisioner's.
 */
export async function scimActor(authorization: string | undefined, scimToken: string | undefined, tokens: TokenVerifier): Promise<Actor> {
  const match = /^Bearer\s+(\S+)$/i.exec(authorization?.trim() ?? '');
  if (!match) throw new ScimError(401, 'sign in: this needs "Authorization: Bearer <token>"');
  const presented = match[1]!;
  if (scimToken !== undefined && sameSecret(presented, scimToken)) return SCIM_TOKEN_ACTOR;
  let actor: Actor;
  try {
    actor = await tokens.verify(presented);
  } catch (error) {
    if (error instanceof InvalidTokenError) throw new ScimError(401, `the token was refused: ${error.message}`);
    throw error;
  }
  if (!actor.roles.includes(Role.PROVISIONER)) throw new ScimError(403, 'provisioning needs the role PROVISIONER');
  return actor;
}

function sameSecret(presented: string, expected: string): boolean {
  const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();
  return timingSafeEqual(digest(presented), digest(expected));
}
