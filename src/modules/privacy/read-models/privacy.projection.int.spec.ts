import type pg from 'pg';
import type { DataSource } from 'typeorm';
import { startTestEventSourcing, type TestEventSourcing } from '../../../../test/support/test-event-sourcing.ts';
import { handleCommand, REDACTED, type EventMetadata, type GovernanceEventStore, type StoredEvent } from '#event-store';
import type { ProjectionRunner } from '#projections';
import { PRIVACY_EVENT_SCHEMAS, privacyDecider, privacyStreamId, type PrivacyCommand, type PrivacyEvent } from '../privacy.decider.ts';
import { PRIVACY_PROJECTION, privacyProjection } from './privacy.projection.ts';
import { findErasureRequest, findPrivacySettings, listConsents, type PrivacySettingsAnswer } from './privacy.queries.ts';
import { testMetadata } from '../../../../test/support/event-metadata.ts';

describe('privacy read model', () => {
  let eventSourcing: TestEventSourcing;
  let pool: pg.Pool;
  let readModels: DataSource;
  let governance: GovernanceEventStore;
  let runner: ProjectionRunner<StoredEvent>;

  beforeEach(async () => {
    eventSourcing = await startTestEventSourcing(
      { schemas: [...PRIVACY_EVENT_SCHEMAS], projections: [privacyProjection] },
      'privacy_read_model',
    );
    ({ pool, readModels, events: governance, runner } = eventSourcing);
  });

  afterEach(async () => {
    await eventSourcing.close();
  });

  const metadata = (actorId: string, occurredAt: string): EventMetadata =>
    testMetadata(occurredAt, { actorId, actorRoles: [], authority: 'SELF' });

  /** What a resolver does: decide, append, and answer once the read model has the events. */
  async function run(command: PrivacyCommand, occurredAt = 'at' in command ? command.at : '2025-03-01T08:00:00.000Z') {
    const result = await handleCommand({
      store: governance,
      streamId: privacyStreamId(command.memberId),
      decider: privacyDecider,
      command,
      metadata: metadata(command.memberId, occurredAt),
    });
    await runner.waitForPosition(result.position, [PRIVACY_PROJECTION]);
    return result;
  }

  /** Around the decider, as a replay or an older writer could have left the stream. */
  async function append(memberId: string, event: PrivacyEvent, occurredAt: string) {
    const result = await governance.append(privacyStreamId(memberId), [event], {
      expectedRevision: 'any',
      metadata: metadata(memberId, occurredAt),
    });
    await runner.waitForPosition(result.position, [PRIVACY_PROJECTION]);
    return result;
  }

  const settingsRows = async (memberId: string) =>
    (
      await pool.query(
        `SELECT member_id, profile_photo_visibility, directory_listed, photo_consent, revision, updated_at
           FROM read_models.privacy_settings WHERE member_id = $1`,
        [memberId],
      )
    ).rows;

  const consentRows = async (memberId: string) =>
    (
      await pool.query(
        `SELECT purpose, given, notice_version, changed_at FROM read_models.consents WHERE member_id = $1 ORDER BY purpose`,
        [memberId],
      )
    ).rows;

  const erasureRows = async (memberId: string) =>
    (await pool.query(`SELECT * FROM read_models.erasure_requests WHERE member_id = $1`, [memberId])).rows;

  const update = (
    memberId: string,
    changes: { profilePhotoVisibility?: 'EVERYONE' | 'COLLEAGUES' | 'NOBODY' | null; directoryListed?: boolean | null },
    at: string,
  ) => run({ type: 'UpdatePrivacySettings', memberId, ...changes }, at);

  const give = (memberId: string, purpose: string, noticeVersion: string | null, at: string) =>
    run({ type: 'GiveConsent', memberId, purpose, noticeVersion, at });

  const withdraw = (memberId: string, purpose: string, at: string) => run({ type: 'WithdrawConsent', memberId, purpose, at });

  const defaults = (memberId: string): PrivacySettingsAnswer => ({
    memberId,
    profilePhotoVisibility: 'NOBODY',
    requestedProfilePhotoVisibility: 'NOBODY',
    directoryListed: false,
    revision: -1,
  });

  test('answers the most private defaults before anything is recorded, then follows the settings and the revision', async () => {
    expect(await findPrivacySettings(readModels, 'm-1')).toEqual(defaults('m-1'));
    expect(await findPrivacySettings(readModels, 'not an id')).toEqual(defaults('not an id'));
    expect(await settingsRows('m-1')).toEqual([]);

    const first = await update('m-1', { profilePhotoVisibility: 'COLLEAGUES' }, '2025-03-01T09:00:00.000Z');
    expect(first.events.map((event) => event.data)).toEqual([{ memberId: 'm-1', profilePhotoVisibility: 'COLLEAGUES' }]);
    expect(await settingsRows('m-1')).toEqual([
      {
        member_id: 'm-1',
        profile_photo_visibility: 'COLLEAGUES',
        directory_listed: false,
        photo_consent: false,
        revision: 0,
        updated_at: new Date('2025-03-01T09:00:00.000Z'),
      },
    ]);
    // Chosen, but shown to nobody while the profile_photo consent is not given.
    expect(await findPrivacySettings(readModels, 'm-1')).toEqual({
      memberId: 'm-1',
      profilePhotoVisibility: 'NOBODY',
      requestedProfilePhotoVisibility: 'COLLEAGUES',
      directoryListed: false,
      revision: 0,
    });

    // Only the listing changes: the visibility stays as it was.
    await update('m-1', { profilePhotoVisibility: 'COLLEAGUES', directoryListed: true }, '2025-03-02T09:00:00.000Z');
    const listed = {
      member_id: 'm-1',
      profile_photo_visibility: 'COLLEAGUES',
      directory_listed: true,
      photo_consent: false,
      revision: 1,
      updated_at: new Date('2025-03-02T09:00:00.000Z'),
    };
    expect(await settingsRows('m-1')).toEqual([listed]);

    // Nothing changes, nothing is recorded: neither the revision nor the time moves.
    const unchanged = await update('m-1', { profilePhotoVisibility: null, directoryListed: true }, '2025-03-03T09:00:00.000Z');
    expect(unchanged.events).toEqual([]);
    expect(await settingsRows('m-1')).toEqual([listed]);

    // Only the visibility changes: the listing stays as it was.
    await update('m-1', { profilePhotoVisibility: 'EVERYONE' }, '2025-03-04T09:00:00.000Z');
    expect(await settingsRows('m-1')).toEqual([
      { ...listed, profile_photo_visibility: 'EVERYONE', revision: 2, updated_at: new Date('2025-03-04T09:00:00.000Z') },
    ]);
    await update('m-1', { directoryListed: false }, '2025-03-05T09:00:00.000Z');
    expect(await findPrivacySettings(readModels, 'm-1')).toEqual({
      memberId: 'm-1',
      profilePhotoVisibility: 'NOBODY',
      requestedProfilePhotoVisibility: 'EVERYONE',
      directoryListed: false,
      revision: 3,
    });

    // Another member is untouched.
    expect(await findPrivacySettings(readModels, 'm-2')).toEqual(defaults('m-2'));
  });

  test('shows the photo as chosen only while the profile_photo consent is given', async () => {
    await update('m-1', { profilePhotoVisibility: 'EVERYONE', directoryListed: true }, '2025-03-01T09:00:00.000Z');
    const view = (profilePhotoVisibility: 'EVERYONE' | 'NOBODY', revision: number): PrivacySettingsAnswer => ({
      memberId: 'm-1',
      profilePhotoVisibility,
      requestedProfilePhotoVisibility: 'EVERYONE',
      directoryListed: true,
      revision,
    });
    const photoConsent = async () =>
      (await settingsRows('m-1')).map((row: { photo_consent: boolean; revision: number }) => [row.photo_consent, row.revision]);
    expect(await findPrivacySettings(readModels, 'm-1')).toEqual(view('NOBODY', 0));

    // Another purpose's consent moves the revision but not the photo.
    await give('m-1', 'newsletter', 'v1', '2025-03-02T09:00:00.000Z');
    expect(await photoConsent()).toEqual([[false, 1]]);
    expect(await findPrivacySettings(readModels, 'm-1')).toEqual(view('NOBODY', 1));

    await give('m-1', 'profile_photo', 'v1', '2025-03-03T09:00:00.000Z');
    expect(await photoConsent()).toEqual([[true, 2]]);
    expect(await findPrivacySettings(readModels, 'm-1')).toEqual(view('EVERYONE', 2));

    await withdraw('m-1', 'newsletter', '2025-03-04T09:00:00.000Z');
    expect(await photoConsent()).toEqual([[true, 3]]);
    expect(await findPrivacySettings(readModels, 'm-1')).toEqual(view('EVERYONE', 3));

    await withdraw('m-1', 'profile_photo', '2025-03-05T09:00:00.000Z');
    expect(await photoConsent()).toEqual([[false, 4]]);
    expect(await findPrivacySettings(readModels, 'm-1')).toEqual(view('NOBODY', 4));

    await give('m-1', 'profile_photo', 'v2', '2025-03-06T09:00:00.000Z');
    expect(await photoConsent()).toEqual([[true, 5]]);
    expect(await findPrivacySettings(readModels, 'm-1')).toEqual(view('EVERYONE', 5));
  });

  test('a consent as the first event creates the settings with the defaults', async () => {
    await give('m-3', 'profile_photo', null, '2025-03-01T09:00:00.000Z');
    expect(await settingsRows('m-3')).toEqual([
      {
        member_id: 'm-3',
        profile_photo_visibility: 'NOBODY',
        directory_listed: false,
        photo_consent: true,
        revision: 0,
        updated_at: new Date('2025-03-01T09:00:00.000Z'),
      },
    ]);
    // The consent is there, but the member never chose to show the photo.
    expect(await findPrivacySettings(readModels, 'm-3')).toEqual({ ...defaults('m-3'), revision: 0 });
    await update('m-3', { profilePhotoVisibility: 'COLLEAGUES' }, '2025-03-02T09:00:00.000Z');
    expect(await findPrivacySettings(readModels, 'm-3')).toEqual({
      memberId: 'm-3',
      profilePhotoVisibility: 'COLLEAGUES',
      requestedProfilePhotoVisibility: 'COLLEAGUES',
      directoryListed: false,
      revision: 1,
    });
  });

  test('keeps each consent per purpose; a withdrawal keeps the notice version it was given under', async () => {
    expect(await listConsents(readModels, 'm-1')).toEqual([]);

    await give('m-1', 'profile_photo', 'v1', '2025-03-01T09:00:00.000Z');
    await give('m-1', 'newsletter', null, '2025-03-01T10:00:00.000Z');
    await give('m-1', 'analytics', ' 2025-03 ', '2025-03-01T11:00:00.000Z');
    await give('m-2', 'newsletter', 'v9', '2025-03-01T12:00:00.000Z');
    expect(await listConsents(readModels, 'm-1')).toEqual([
      { memberId: 'm-1', purpose: 'analytics', given: true, noticeVersion: '2025-03', changedAt: new Date('2025-03-01T11:00:00.000Z') },
      { memberId: 'm-1', purpose: 'newsletter', given: true, noticeVersion: null, changedAt: new Date('2025-03-01T10:00:00.000Z') },
      { memberId: 'm-1', purpose: 'profile_photo', given: true, noticeVersion: 'v1', changedAt: new Date('2025-03-01T09:00:00.000Z') },
    ]);

    // The same notice again records nothing: the time it was given stays.
    expect((await give('m-1', 'profile_photo', 'v1', '2025-03-02T09:00:00.000Z')).events).toEqual([]);
    // A new notice is a new consent.
    await give('m-1', 'profile_photo', 'v2', '2025-03-03T09:00:00.000Z');
    await withdraw('m-1', 'profile_photo', '2025-03-04T09:00:00.000Z');
    await withdraw('m-1', 'analytics', '2025-03-04T10:00:00.000Z');
    // Withdrawing what is not given records nothing.
    expect((await withdraw('m-1', 'analytics', '2025-03-05T09:00:00.000Z')).events).toEqual([]);
    expect((await withdraw('m-1', 'marketing', '2025-03-05T09:00:00.000Z')).events).toEqual([]);

    expect(await consentRows('m-1')).toEqual([
      { purpose: 'analytics', given: false, notice_version: '2025-03', changed_at: new Date('2025-03-04T10:00:00.000Z') },
      { purpose: 'newsletter', given: true, notice_version: null, changed_at: new Date('2025-03-01T10:00:00.000Z') },
      { purpose: 'profile_photo', given: false, notice_version: 'v2', changed_at: new Date('2025-03-04T09:00:00.000Z') },
    ]);
    expect(await listConsents(readModels, 'm-1')).toEqual([
      { memberId: 'm-1', purpose: 'analytics', given: false, noticeVersion: '2025-03', changedAt: new Date('2025-03-04T10:00:00.000Z') },
      { memberId: 'm-1', purpose: 'newsletter', given: true, noticeVersion: null, changedAt: new Date('2025-03-01T10:00:00.000Z') },
      { memberId: 'm-1', purpose: 'profile_photo', given: false, noticeVersion: 'v2', changedAt: new Date('2025-03-04T09:00:00.000Z') },
    ]);

    // Given again under the notice it was withdrawn under: recorded, with the new time.
    await give('m-1', 'analytics', '2025-03', '2025-03-06T09:00:00.000Z');
    expect((await listConsents(readModels, 'm-1'))[0]).toEqual({
      memberId: 'm-1',
      purpose: 'analytics',
      given: true,
      noticeVersion: '2025-03',
      changedAt: new Date('2025-03-06T09:00:00.000Z'),
    });

    expect(await listConsents(readModels, 'm-2')).toEqual([
      { memberId: 'm-2', purpose: 'newsletter', given: true, noticeVersion: 'v9', changedAt: new Date('2025-03-01T12:00:00.000Z') },
    ]);
    expect(await listConsents(readModels, 'm-nobody')).toEqual([]);
    expect(await listConsents(readModels, 'not an id')).toEqual([]);
    expect(await findPrivacySettings(readModels, 'm-1')).toMatchObject({ revision: 6 });
  });

  test('a purpose named like an Object.prototype property is an ordinary row', async () => {
    await give('m-1', 'constructor', 'v1', '2025-03-01T09:00:00.000Z');
    await withdraw('m-1', 'constructor', '2025-03-02T09:00:00.000Z');
    expect(await listConsents(readModels, 'm-1')).toEqual([
      { memberId: 'm-1', purpose: 'constructor', given: false, noticeVersion: 'v1', changedAt: new Date('2025-03-02T09:00:00.000Z') },
    ]);
  });

  test('follows an erasure request from REQUESTED to COMPLETED, keeping its reason out of the read model', async () => {
    expect(await findErasureRequest(readModels, 'm-1')).toBeNull();
    expect(await findErasureRequest(readModels, 'not an id')).toBeNull();
    await update('m-1', { directoryListed: true }, '2025-03-01T09:00:00.000Z');

    const requested = await run({
      type: 'RequestErasure',
      memberId: 'm-1',
      reason: 'I am leaving the community',
      at: '2025-03-02T09:00:00.000Z',
    });
    expect(requested.events.map((event) => [event.type, event.data])).toEqual([
      ['ErasureRequested', { memberId: 'm-1', reason: 'I am leaving the community', requestedAt: '2025-03-02T09:00:00.000Z' }],
    ]);
    expect(await findErasureRequest(readModels, 'm-1')).toEqual({
      memberId: 'm-1',
      status: 'REQUESTED',
      requestedAt: new Date('2025-03-02T09:00:00.000Z'),
      completedAt: null,
    });
    expect(await erasureRows('m-1')).toEqual([
      { member_id: 'm-1', status: 'REQUESTED', requested_at: new Date('2025-03-02T09:00:00.000Z'), completed_at: null },
    ]);
    expect(await findPrivacySettings(readModels, 'm-1')).toMatchObject({ directoryListed: true, revision: 1 });
    // Asking again while it is pending records nothing.
    expect((await run({ type: 'RequestErasure', memberId: 'm-1', reason: null, at: '2025-03-02T09:00:00.500Z' })).events).toEqual([]);

    // The reason is stored encrypted, and reads as redacted once the member's key is destroyed.
    const stored = (await eventSourcing.store.readStream(privacyStreamId('m-1'))).map((event) => event.data).join('\n');
    expect(stored).not.toContain('I am leaving the community');
    await governance.forgetSubject('m-1');
    await run({ type: 'CompleteErasure', memberId: 'm-1', at: '2025-03-02T09:00:01.000Z' });
    expect((await governance.readStream(privacyStreamId('m-1'))).map((event) => [event.type, event.data])).toEqual([
      ['PrivacySettingsUpdated', { memberId: 'm-1', directoryListed: true }],
      ['ErasureRequested', { memberId: 'm-1', reason: REDACTED, requestedAt: '2025-03-02T09:00:00.000Z' }],
      ['ErasureCompleted', { memberId: 'm-1', completedAt: '2025-03-02T09:00:01.000Z' }],
    ]);

    const completed = {
      memberId: 'm-1',
      status: 'COMPLETED',
      requestedAt: new Date('2025-03-02T09:00:00.000Z'),
      completedAt: new Date('2025-03-02T09:00:01.000Z'),
    };
    expect(await findErasureRequest(readModels, 'm-1')).toEqual(completed);
    expect(await erasureRows('m-1')).toEqual([
      {
        member_id: 'm-1',
        status: 'COMPLETED',
        requested_at: new Date('2025-03-02T09:00:00.000Z'),
        completed_at: new Date('2025-03-02T09:00:01.000Z'),
      },
    ]);
    expect(await findPrivacySettings(readModels, 'm-1')).toMatchObject({ revision: 2 });

    // Both steps are safe to repeat: nothing is recorded, nothing changes.
    expect((await run({ type: 'RequestErasure', memberId: 'm-1', reason: 'again', at: '2025-04-01T09:00:00.000Z' })).events).toEqual([]);
    expect((await run({ type: 'CompleteErasure', memberId: 'm-1', at: '2025-04-01T09:00:01.000Z' })).events).toEqual([]);
    expect(await findErasureRequest(readModels, 'm-1')).toEqual(completed);
    expect(await findErasureRequest(readModels, 'm-2')).toBeNull();
  });

  test('applies erasure events written around the decider without losing the completion', async () => {
    // A completion without a projected request: the request time is the completion time.
    await append(
      'm-4',
      { type: 'ErasureCompleted', data: { memberId: 'm-4', completedAt: '2025-03-02T09:00:00.000Z' } },
      '2025-03-02T09:00:00.000Z',
    );
    expect(await findErasureRequest(readModels, 'm-4')).toEqual({
      memberId: 'm-4',
      status: 'COMPLETED',
      requestedAt: new Date('2025-03-02T09:00:00.000Z'),
      completedAt: new Date('2025-03-02T09:00:00.000Z'),
    });
    // A request after the completion does not reopen it.
    await append(
      'm-4',
      { type: 'ErasureRequested', data: { memberId: 'm-4', reason: null, requestedAt: '2025-03-03T09:00:00.000Z' } },
      '2025-03-03T09:00:00.000Z',
    );
    expect(await findErasureRequest(readModels, 'm-4')).toEqual({
      memberId: 'm-4',
      status: 'COMPLETED',
      requestedAt: new Date('2025-03-02T09:00:00.000Z'),
      completedAt: new Date('2025-03-02T09:00:00.000Z'),
    });
    expect(await findPrivacySettings(readModels, 'm-4')).toEqual({ ...defaults('m-4'), revision: 1 });
  });
});
