import { DomainError } from '../../../platform/shared/domain-error.ts';
import { unreachable } from '../../../platform/shared/exhaustive.ts';
import type { TrainingAuthority } from './commands.ts';

// ---------------------------------------------------------------- checks

export function requireActingFor(authority: TrainingAuthority, actorId: string, memberId: string, action: string): void {
  switch (authority.kind) {
    case 'community_manager':
      return;
    case 'self':
      if (actorId === memberId) return;
      throw new DomainError('FORBIDDEN', `${action} needs the role COMMUNITY_MANAGER: members act only for themselves`);
    default:
      return unreachable('training authority', authority, 'kind');
  }
}
