import { DomainError, type DomainErrorCode } from '../../src/platform/shared/domain-error.ts';

/**
 * For a decider specification's thenThrows: the error a community manager would see, its code, and its message and
 * field when given.
 */
export function domainError(code: DomainErrorCode, message?: string | RegExp, field?: string) {
  return (error: unknown): boolean => {
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).code).toBe(code);
    if (typeof message === 'string') expect((error as DomainError).message).toBe(message);
    else if (message) expect((error as DomainError).message).toMatch(message);
    if (field !== undefined) expect((error as DomainError).details?.['field']).toBe(field);
    return true;
  };
}
