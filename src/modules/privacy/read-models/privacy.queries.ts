import type { DataSource } from 'typeorm';
import { isId } from '../../../platform/shared/identifiers.ts';
import type { Consent, ErasureRequest, PrivacySettings } from '../privacy.graphql.ts';
import { CONSENTS, ERASURE_REQUESTS, PRIVACY_SETTINGS } from './privacy.projection.ts';

// As read: each type's node `id` is made from its key by the field itself.
export type PrivacySettingsAnswer = Omit<PrivacySettings, 'id'>;
export type ConsentAnswer = Omit<Consent, 'id'>;
export type ErasureRequestAnswer = Omit<ErasureRequest, 'id'>;

/** Always answers: a member who never changed anything has the most private defaults. */
export async function findPrivacySettings(db: DataSource, memberId: string): Promise<PrivacySettingsAnswer> {
  const defaults: PrivacySettingsAnswer = {
    memberId,
    profilePhotoVisibility: 'NOBODY',
    requestedProfilePhotoVisibility: 'NOBODY',
    directoryListed: false,
    revision: -1,
  };
  if (!isId(memberId)) return defaults;
  const row = await db.getRepository(PRIVACY_SETTINGS.entity).findOneBy({ memberId });
  if (!row) return defaults;
  return {
    memberId,
    profilePhotoVisibility: row.photoConsent ? row.profilePhotoVisibility : 'NOBODY',
    requestedProfilePhotoVisibility: row.profilePhotoVisibility,
    directoryListed: row.directoryListed,
    revision: row.revision,
  };
}

/** Every purpose the member ever answered, by purpose. */
export async function listConsents(db: DataSource, memberId: string): Promise<ConsentAnswer[]> {
  if (!isId(memberId)) return [];
  // A consent's row is a Consent as read, column for column.
  return db.getRepository(CONSENTS.entity).find({ where: { memberId }, order: { purpose: 'ASC' } });
}

export async function findErasureRequest(db: DataSource, memberId: string): Promise<ErasureRequestAnswer | null> {
  if (!isId(memberId)) return null;
  // The row is an ErasureRequest as read, column for column.
  return db.getRepository(ERASURE_REQUESTS.entity).findOneBy({ memberId });
}
