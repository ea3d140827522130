import { SignJWT } from 'jose';
import type { Role } from './role.ts';

/** A development token (HS256) as the service accepts it when AUTH_JWT_SECRET or the generated secret is in use. */
export function signDevelopmentToken(secret: string, subject: string, roles: readonly Role[], expiresIn = '12h'): Promise<string> {
  return new SignJWT({ roles: [...roles] })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(subject)
    .setIssuedAt()
    .setExpirationTime(expiresIn)
    .sign(new TextEncoder().encode(secret));
}
