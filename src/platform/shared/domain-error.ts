/**
 * A governance rule refused a command. The GraphQL layer maps `code` to `extensions.code` and shows `message`
 * as it is, so the message is written for a community manager ("case is already decided"), never for a developer.
 */
export type DomainErrorCode = 'BAD_USER_INPUT' | 'CONFLICT' | 'NOT_FOUND' | 'FORBIDDEN';

export class DomainError extends Error {
  override readonly name = 'DomainError';
  constructor(
    readonly code: DomainErrorCode,
    message: string,
    /** Optional machine-readable details for the client (e.g. the field that was wrong). */
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }
}

export const badInput = (message: string, details?: Record<string, unknown>) => new DomainError('BAD_USER_INPUT', message, details);
export const conflict = (message: string, details?: Record<string, unknown>) => new DomainError('CONFLICT', message, details);
export const notFound = (message: string, details?: Record<string, unknown>) => new DomainError('NOT_FOUND', message, details);
