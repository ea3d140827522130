import { createHash } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { startTestEventSourcing, type TestEventSourcing } from '../../../../test/support/test-event-sourcing.ts';
import { handleCommand, type EventMetadata, type GovernanceEventStore, type StoredEvent } from '#event-store';
import type { ProjectionRunner } from '#projections';
import { MEMBER_EVENT_SCHEMAS, memberDecider, memberStreamId, type MemberCommand } from '../../members/index.ts';
import { acceptanceStreamId, agreementAcceptanceDecider } from '../agreement-acceptance.decider.ts';
import { publishedAgreementVersion, readAgreement } from '../agreement-streams.ts';
import { agreementDecider, agreementStreamId } from '../agreement.decider.ts';
import { AGREEMENTS_EVENT_SCHEMAS } from '../index.ts';
import { AGREEMENTS_PROJECTION, agreementsProjection } from './agreements.projection.ts';
import { findAgreement, findAgreementAcceptance, pendingAgreementsOf, type AgreementVersionAnswer } from './agreements.queries.ts';
import { testMetadata } from '../../../../test/support/event-metadata.ts';

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

describe('agreements read model', () => {
  let eventSourcing: TestEventSourcing;
  let readModels: DataSource;
  let governance: GovernanceEventStore;
  let runner: ProjectionRunner<StoredEvent>;

  beforeEach(async () => {
    eventSourcing = await startTestEventSourcing(
      { schemas: [...MEMBER_EVENT_SCHEMAS, ...AGREEMENTS_EVENT_SCHEMAS], projections: [agreementsProjection] },
      'agreements_read_model',
    );
    ({ readModels, events: governance, runner } = eventSourcing);
  });
  afterEach(async () => {
    await eventSourcing.close();
  });

  const metadata = (actorId: string, occurredAt: string): EventMetadata => testMetadata(occurredAt, { actorId });

  async function member(command: MemberCommand) {
    const result = await handleCommand({
      store: governance,
      streamId: memberStreamId(command.memberId),
      decider: memberDecider,
      command,
      metadata: metadata('cm-1', '2025-01-01T09:00:00.000Z'),
    });
    await runner.waitForPosition(result.position, [AGREEMENTS_PROJECTION]);
  }
  const register = (...memberIds: string[]) =>
    memberIds.reduce(
      (previous, memberId) =>
        previous.then(() => member({ type: 'RegisterMember', memberId, displayName: `Member ${memberId}`, department: 'Research' })),
      Promise.resolve(),
    );

  async function publish(agreementId: string, body: string, requiresReacceptance: boolean, at: string) {
    const result = await handleCommand({
      store: governance,
      streamId: agreementStreamId(agreementId),
      decider: agreementDecider,
      command: { type: 'PublishAgreementVersion', agreementId, title: `Title of ${body}`, body, requiresReacceptance, actorId: 'cm-1', at },
      metadata: metadata('cm-1', at),
    });
    await runner.waitForPosition(result.position, [AGREEMENTS_PROJECTION]);
  }

  async function accept(agreementId: string, memberId: string, version: number, at: string) {
    const agreement = await readAgreement(governance, agreementId);
    const result = await handleCommand({
      store: governance,
      streamId: acceptanceStreamId(agreementId, memberId),
      decider: agreementAcceptanceDecider,
      command: {
        type: 'AcceptAgreement',
        agreementId,
        memberId,
        version,
        agreement:
          agreement.status === 'published'
            ? { currentVersion: agreement.currentVersion, currentBodySha256: agreement.versions.at(-1)!.bodySha256 }
            : null,
        acceptor: 'active',
        at,
      },
      metadata: metadata(memberId, at),
    });
    await runner.waitForPosition(result.position, [AGREEMENTS_PROJECTION]);
    return result;
  }

  const version = (n: number, body: string, requiresReacceptance: boolean, at: string): AgreementVersionAnswer => ({
    agreementId: 'coc',
    version: n,
    title: `Title of ${body}`,
    body,
    bodySha256: sha256(body),
    requiresReacceptance,
    publishedBy: 'cm-1',
    publishedAt: new Date(at),
  });
  const acceptance = async (agreementId: string, memberId: string) => {
    const lookup = await findAgreementAcceptance(readModels, agreementId, memberId);
    return lookup.found ? lookup.acceptance : lookup;
  };
  const pendingIds = async (memberId: string) => (await pendingAgreementsOf(readModels, memberId)).map((agreement) => agreement.id);

  test('versions, the binding version, each member’s latest acceptance and the counts of active members', async () => {
    await register('m-1', 'm-2', 'm-3', 'm-4');
    await publish('coc', 'Be kind.', false, '2025-03-01T09:00:00.000Z');
    const v1 = version(1, 'Be kind.', false, '2025-03-01T09:00:00.000Z');
    expect(await findAgreement(readModels, 'coc')).toEqual({
      id: 'coc',
      currentVersion: v1,
      versions: [v1],
      bindingVersion: 1,
      acceptedCount: 0,
      pendingCount: 4,
      revision: 0,
    });
    expect(await acceptance('coc', 'm-1')).toEqual({
      agreementId: 'coc',
      memberId: 'm-1',
      bindingVersion: 1,
      acceptedVersion: null,
      acceptedAt: null,
      pending: true,
    });

    await accept('coc', 'm-1', 1, '2025-03-02T09:00:00.000Z');
    await accept('coc', 'm-4', 1, '2025-03-02T10:00:00.000Z');
    expect(await findAgreement(readModels, 'coc')).toMatchObject({ acceptedCount: 2, pendingCount: 2 });
    expect(await acceptance('coc', 'm-1')).toEqual({
      agreementId: 'coc',
      memberId: 'm-1',
      bindingVersion: 1,
      acceptedVersion: 1,
      acceptedAt: new Date('2025-03-02T09:00:00.000Z'),
      pending: false,
    });

    // Version 2 requires re-acceptance: whoever accepted version 1 is pending again.
    await publish('coc', 'Be kind. Be on time.', true, '2025-04-01T09:00:00.000Z');
    const v2 = version(2, 'Be kind. Be on time.', true, '2025-04-01T09:00:00.000Z');
    expect(await findAgreement(readModels, 'coc')).toEqual({
      id: 'coc',
      currentVersion: v2,
      versions: [v1, v2],
      bindingVersion: 2,
      acceptedCount: 0,
      pendingCount: 4,
      revision: 1,
    });
    expect(await acceptance('coc', 'm-1')).toMatchObject({ bindingVersion: 2, acceptedVersion: 1, pending: true });

    await accept('coc', 'm-1', 2, '2025-04-02T09:00:00.000Z');
    await accept('coc', 'm-2', 2, '2025-04-02T10:00:00.000Z');
    expect(await findAgreement(readModels, 'coc')).toMatchObject({ acceptedCount: 2, pendingCount: 2 });

    // Version 3 does not: version 2 still binds, and who accepted it has nothing pending.
    await publish('coc', 'Be kind. Be on time!', false, '2025-05-01T09:00:00.000Z');
    const v3 = version(3, 'Be kind. Be on time!', false, '2025-05-01T09:00:00.000Z');
    expect(await findAgreement(readModels, 'coc')).toEqual({
      id: 'coc',
      currentVersion: v3,
      versions: [v1, v2, v3],
      bindingVersion: 2,
      acceptedCount: 2,
      pendingCount: 2,
      revision: 2,
    });
    expect(await acceptance('coc', 'm-2')).toMatchObject({ bindingVersion: 2, acceptedVersion: 2, pending: false });
    expect(await acceptance('coc', 'm-4')).toMatchObject({ bindingVersion: 2, acceptedVersion: 1, pending: true });
    // Accepting version 3 moves the latest acceptance on; the counts stay.
    await accept('coc', 'm-2', 3, '2025-05-02T09:00:00.000Z');
    expect(await acceptance('coc', 'm-2')).toEqual({
      agreementId: 'coc',
      memberId: 'm-2',
      bindingVersion: 2,
      acceptedVersion: 3,
      acceptedAt: new Date('2025-05-02T09:00:00.000Z'),
      pending: false,
    });
    expect(await findAgreement(readModels, 'coc')).toMatchObject({ acceptedCount: 2, pendingCount: 2 });

    // Members who leave are bound by nothing: they leave both counts, and nothing is pending for them.
    await member({ type: 'RecordMemberLeft', memberId: 'm-2', reason: null });
    await member({ type: 'RecordMemberLeft', memberId: 'm-4', reason: null });
    expect(await findAgreement(readModels, 'coc')).toMatchObject({ acceptedCount: 1, pendingCount: 1 });
    expect(await acceptance('coc', 'm-4')).toMatchObject({ acceptedVersion: 1, pending: false });
    // A member registered later is bound at once.
    await register('m-5');
    expect(await findAgreement(readModels, 'coc')).toMatchObject({ acceptedCount: 1, pendingCount: 2 });

    expect(await acceptance('coc', 'm-nobody')).toEqual({ found: false, missing: 'member' });
    expect(await acceptance('coc', 'not an id')).toEqual({ found: false, missing: 'member' });
    expect(await acceptance('missing', 'm-1')).toEqual({ found: false, missing: 'agreement' });
    expect(await acceptance('not an id', 'm-1')).toEqual({ found: false, missing: 'agreement' });
    expect(await findAgreement(readModels, 'missing')).toBeNull();
    expect(await findAgreement(readModels, 'not an id')).toBeNull();
  });

  test('what a member still has to accept, by agreement id', async () => {
    await register('m-1', 'm-2');
    await member({ type: 'RegisterMember', memberId: 'm-gone', displayName: 'Gone', department: 'Sales' });
    await member({ type: 'RecordMemberLeft', memberId: 'm-gone', reason: null });
    await publish('privacy-notice', 'We keep little.', false, '2025-03-01T09:00:00.000Z');
    await publish('coc', 'Be kind.', false, '2025-03-01T10:00:00.000Z');
    await publish('guidelines', 'Stay on topic.', false, '2025-03-01T11:00:00.000Z');
    expect(await pendingIds('m-1')).toEqual(['coc', 'guidelines', 'privacy-notice']);

    await accept('coc', 'm-1', 1, '2025-03-02T09:00:00.000Z');
    await accept('guidelines', 'm-1', 1, '2025-03-02T09:00:00.000Z');
    expect(await pendingIds('m-1')).toEqual(['privacy-notice']);
    const [notice] = await pendingAgreementsOf(readModels, 'm-1');
    expect(notice).toMatchObject({ id: 'privacy-notice', bindingVersion: 1, acceptedCount: 0, pendingCount: 2 });

    await publish('coc', 'Be kind, always.', true, '2025-04-01T09:00:00.000Z');
    await publish('guidelines', 'Stay on topic, please.', false, '2025-04-01T09:00:00.000Z');
    expect(await pendingIds('m-1')).toEqual(['coc', 'privacy-notice']);
    expect(await pendingIds('m-2')).toEqual(['coc', 'guidelines', 'privacy-notice']);
    // Someone who left, was never registered, or cannot be a member has nothing pending.
    expect(await pendingIds('m-gone')).toEqual([]);
    expect(await pendingIds('m-nobody')).toEqual([]);
    expect(await pendingIds('not an id')).toEqual([]);
  });

  test('publishedAgreementVersion answers from the agreement stream', async () => {
    expect(await publishedAgreementVersion(governance, 'coc', 1)).toBe(false);
    await publish('coc', 'Be kind.', false, '2025-03-01T09:00:00.000Z');
    await publish('coc', 'Be kind, always.', true, '2025-04-01T09:00:00.000Z');
    expect(await publishedAgreementVersion(governance, 'coc', 1)).toBe(true);
    expect(await publishedAgreementVersion(governance, 'coc', 2)).toBe(true);
    expect(await publishedAgreementVersion(governance, 'coc', 3)).toBe(false);
    expect(await publishedAgreementVersion(governance, 'coc', 0)).toBe(false);
    expect(await publishedAgreementVersion(governance, 'coc', 1.5)).toBe(false);
    expect(await publishedAgreementVersion(governance, 'other', 1)).toBe(false);
    expect(await publishedAgreementVersion(governance, 'not an id', 1)).toBe(false);
  });
});
