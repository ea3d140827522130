import type { DataSource } from 'typeorm';
import { isId } from '../../../platform/shared/identifiers.ts';
import type { ErasureStatus, Visibility } from '../privacy.decider.ts';

export interface PrivacySettingsView {
  readonly memberId: string;
  /** What others get: NOBODY while the profile_photo consent is not given, whatever the member chose. */
  readonly profilePhotoVisibility: Visibility;
  /** What the member chose. */
  readonly requestedProfilePhotoVisibility: Visibility;
  readonly directoryListed: boolean;
  /** Of the member's privacy stream; -1 before anything was recorded (the defaults apply). */
  readonly revision: number;
}

export interface ConsentView {
  readonly memberId: string;
  readonly purpose: string;
  readonly given: boolean;
  readonly noticeVersion: string | null;
  readonly changedAt: Date;
}

export interface ErasureRequestView {
  readonly memberId: string;
  readonly status: ErasureStatus;
  readonly requestedAt: Date;
  readonly completedAt: Date | null;
}

/** Always answers: a member who never changed anything has the most private defaults. */
export async function findPrivacySettings(db: DataSource, memberId: string): Promise<PrivacySettingsView> {
  const defaults: PrivacySettingsView = {
    memberId,
    profilePhotoVisibility: 'NOBODY',
    requestedProfilePhotoVisibility: 'NOBODY',
    directoryListed: false,
    revision: -1,
  };
  if (!isId(memberId)) return defaults;
  const rows = (await db.query(
    `SELECT profile_photo_visibility, directory_listed, photo_consent, revision FROM read_models.privacy_settings WHERE member_id = $1`,
    [memberId],
  )) as { profile_photo_visibility: Visibility; directory_listed: boolean; photo_consent: boolean; revision: number }[];
  const row = rows[0];
  if (!row) return defaults;
  return {
    memberId,
    profilePhotoVisibility: row.photo_consent ? row.profile_photo_visibility : 'NOBODY',
    requestedProfilePhotoVisibility: row.profile_photo_visibility,
    directoryListed: row.directory_listed,
    revision: row.revision,
  };
}

/** Every purpose the member ever answered, by purpose. */
export async function listConsents(db: DataSource, memberId: string): Promise<ConsentView[]> {
  if (!isId(memberId)) return [];
  const rows = (await db.query(
    `SELECT purpose, given, notice_version, changed_at FROM read_models.consents WHERE member_id = $1 ORDER BY purpose`,
    [memberId],
  )) as { purpose: string; given: boolean; notice_version: string | null; changed_at: Date }[];
  return rows.map((row) => ({
    memberId,
    purpose: row.purpose,
    given: row.given,
    noticeVersion: row.notice_version,
    changedAt: new Date(row.changed_at),
  }));
}

export async function findErasureRequest(db: DataSource, memberId: string): Promise<ErasureRequestView | null> {
  if (!isId(memberId)) return null;
  const rows = (await db.query(`SELECT status, requested_at, completed_at FROM read_models.erasure_requests WHERE member_id = $1`, [
    memberId,
  ])) as { status: ErasureStatus; requested_at: Date; completed_at: Date | null }[];
  const row = rows[0];
  if (!row) return null;
  return {
    memberId,
    status: row.status,
    requestedAt: new Date(row.requested_at),
    completedAt: row.completed_at === null ? null : new Date(row.completed_at),
  };
}
