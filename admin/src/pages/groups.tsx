import { useState, type FormEvent, type ReactNode } from 'react';
import { can } from '../access.ts';
import { supports } from '../api/client.ts';
import {
  ASSIGN_GROUP_OWNER,
  CERTIFICATION,
  CREATE_GROUP,
  GROUP,
  GROUPS,
  OWNERLESS_GROUPS,
  REMOVE_GROUP_OWNER,
  SET_GROUP_CERTIFICATION_REQUIREMENT,
} from '../api/documents.ts';
import { useConsole } from '../context.ts';
import { groupInterest, LIVE_INTERESTS } from '../live-interests.ts';
import { useLiveRefresh } from '../live-react.tsx';
import { newCommandId } from '../moderation.ts';
import {
  Badge,
  Confirmation,
  Empty,
  ErrorNotice,
  Field,
  Link,
  Loaded,
  Page,
  Pager,
  Panel,
  ScrollArea,
  toneOf,
  useAction,
  useQuery,
  type Connection,
} from '../ui.tsx';
import { resolveId } from '../directory.ts';
import type { Certification } from './certification.tsx';
import { forgetNames, IdPicker, Name, nameText, useDirectory, type Directory } from './names.tsx';

interface GroupRow {
  id: string;
  name: string;
  owners: string[];
  archived: boolean;
  requiresCertification: boolean;
  revision: number;
}

export function GroupsPage() {
  const { t, me } = useConsole();
  const [after, setAfter] = useState<string | null>(null);
  const state = useQuery<{ groups: Connection<GroupRow> }>(GROUPS, { first: 25, after });
  useLiveRefresh(LIVE_INTERESTS.groups, state.reload);
  const members = useDirectory('member');
  return (
    <Page title={t('area_groups')}>
      {me.ownedGroups.length > 0 ? <GroupsYouOwn /> : null}
      {can(me.roles, 'manage') ? <CreateGroupForm /> : null}
      {OWNERLESS_GROUPS_READERS.some((role) => me.roles.includes(role)) ? <OwnerlessGroups /> : null}
      <Loaded state={state}>
        {({ groups }) =>
          groups.edges.length === 0 ? (
            <Empty />
          ) : (
            <>
              <ScrollArea label={t('area_groups')}>
                <table>
                  <thead>
                    <tr>
                      <th scope="col">{t('group')}</th>
                      <th scope="col">{t('owners')}</th>
                      <th scope="col">{t('requiresCertification')}</th>
                      <th scope="col">{t('archived')}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {groups.edges.map(({ node }) => (
                      <tr key={node.id}>
                        <td>
                          <Link to={{ name: 'group', groupId: node.id }}>{node.name}</Link> <span className="muted">{node.id}</span>
                        </td>
                        <td>
                          {node.owners.length === 0 ? (
                            '—'
                          ) : (
                            <ul className="inline-list">
                              {node.owners.map((o) => (
                                <li key={o}>
                                  <Name kind="member" id={o} directory={members} />
                                </li>
                              ))}
                            </ul>
                          )}
                        </td>
                        <td>{node.requiresCertification ? t('yes') : t('no')}</td>
                        <td>{node.archived ? t('yes') : t('no')}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </ScrollArea>
              <Pager connection={groups} after={after} onPage={setAfter} />
            </>
          )
        }
      </Loaded>
    </Page>
  );
}

/** An owner's own groups first (as read at sign-in: ownership is governance state, not a token claim). */
function GroupsYouOwn() {
  const { t, me } = useConsole();
  return (
    <Panel title={t('groupsYouOwn')}>
      <ul>
        {me.ownedGroups.map((g) => (
          <li key={g.id}>
            <Link to={{ name: 'group', groupId: g.id }}>{g.name}</Link> <span className="muted">{g.id}</span>
            {g.requiresCertification ? <span className="muted"> · {t('requiresCertification')}</span> : null}
          </li>
        ))}
      </ul>
    </Panel>
  );
}

/** Who may list the groups without an owner (the API refuses everyone else). */
const OWNERLESS_GROUPS_READERS: readonly string[] = ['COMMUNITY_MANAGER', 'AUDITOR'];

/** Groups whose last owner left or was removed (issue #20): a community manager opens one to assign an owner. */
function OwnerlessGroups() {
  const { t, me, capabilities } = useConsole();
  const [after, setAfter] = useState<string | null>(null);
  const supported = supports(capabilities, OWNERLESS_GROUPS);
  const state = useQuery<{ ownerlessGroups: Connection<{ id: string; name: string }> }>(OWNERLESS_GROUPS, { first: 25, after }, !supported);
  useLiveRefresh(supported ? LIVE_INTERESTS.groups : null, state.reload);
  if (!supported) return null;
  const manage = can(me.roles, 'manage');
  return (
    <Panel title={t('ownerlessGroups')}>
      <p className="muted">{t('ownerlessGroupsWhy')}</p>
      <Loaded state={state}>
        {({ ownerlessGroups: list }) =>
          list.edges.length === 0 ? (
            <p className="muted">{t('noOwnerlessGroups')}</p>
          ) : (
            <>
              <ScrollArea label={t('ownerlessGroups')}>
                <table>
                  <thead>
                    <tr>
                      <th scope="col">{t('group')}</th>
                      {manage ? <th scope="col">{t('actions')}</th> : null}
                    </tr>
                  </thead>
                  <tbody>
                    {list.edges.map(({ node }) => (
                      <tr key={node.id}>
                        <td>
                          <Link to={{ name: 'group', groupId: node.id }}>{node.name}</Link> <span className="muted">{node.id}</span>
                        </td>
                        {manage ? (
                          <td>
                            <Link to={{ name: 'group', groupId: node.id }}>{t('assignOwner')}</Link>
                          </td>
                        ) : null}
                      </tr>
                    ))}
                  </tbody>
                </table>
              </ScrollArea>
              <Pager connection={list} after={after} onPage={setAfter} of={t('ownerlessGroups')} />
            </>
          )
        }
      </Loaded>
    </Panel>
  );
}

function CreateGroupForm() {
  const { t, client, navigate } = useConsole();
  const action = useAction();
  const [form, setForm] = useState({ groupId: '', name: '' });
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!form.name.trim()) return;
    let created: string | null = null;
    const ok = await action.run(async () => {
      const input = { name: form.name.trim(), commandId: newCommandId(), ...(form.groupId.trim() ? { groupId: form.groupId.trim() } : {}) };
      created = (await client.request<{ createGroup: GroupRow }>(CREATE_GROUP, { input })).createGroup.id;
    }, t('groupCreated'));
    if (ok && created) {
      forgetNames(client, 'group');
      navigate({ name: 'group', groupId: created });
    }
  };
  return (
    <Panel title={t('createGroup')}>
      <form className="filters" onSubmit={(ev) => void submit(ev)}>
        <Field label={t('name')} id="g-name">
          <input id="g-name" required value={form.name} onChange={(ev) => setForm({ ...form, name: ev.target.value })} />
        </Field>
        <Field label={t('groupId')} id="g-id" hint={t('generatedIfEmpty')}>
          <input
            id="g-id"
            value={form.groupId}
            aria-describedby="g-id-hint"
            pattern="[A-Za-z0-9._:@\-]{1,100}"
            onChange={(ev) => setForm({ ...form, groupId: ev.target.value })}
          />
        </Field>
        <div className="filter-buttons">
          <button type="submit" className="primary" disabled={action.busy || !form.name.trim()}>
            {t('createGroup')}
          </button>
        </div>
      </form>
      {action.outcome}
    </Panel>
  );
}

export function GroupPage({ groupId }: { groupId: string }) {
  const { t, me, client } = useConsole();
  const state = useQuery<{ group: GroupRow | null }>(GROUP, { id: groupId });
  useLiveRefresh(groupInterest(groupId), state.reload);
  // On CONFLICT (someone changed the group meanwhile) the group is read again and the notice says so.
  const action = useAction(state.reload);
  const [owner, setOwner] = useState('');
  const [removing, setRemoving] = useState<string | null>(null);
  const manage = can(me.roles, 'manage');
  const members = useDirectory('member');
  const changeOwner = (group: GroupRow, memberId: string, remove: boolean) =>
    action.run(
      async () => {
        const input = { groupId: group.id, memberId, expectedRevision: group.revision, commandId: newCommandId() };
        const answer = remove
          ? (await client.request<{ removeGroupOwner: GroupRow }>(REMOVE_GROUP_OWNER, { input })).removeGroupOwner
          : (await client.request<{ assignGroupOwner: GroupRow }>(ASSIGN_GROUP_OWNER, { input })).assignGroupOwner;
        state.setData({ group: answer });
        setRemoving(null);
      },
      remove ? t('ownerRemoved') : t('ownerAssigned'),
    );
  const setRequirement = (group: GroupRow, required: boolean) =>
    action.run(
      async () => {
        const input = { groupId: group.id, required, expectedRevision: group.revision, commandId: newCommandId() };
        const answer = await client.request<{ setGroupCertificationRequirement: GroupRow }>(SET_GROUP_CERTIFICATION_REQUIREMENT, { input });
        state.setData({ group: answer.setGroupCertificationRequirement });
      },
      required ? t('certificationNowRequired') : t('certificationNoLongerRequired'),
    );
  return (
    <Page
      title={state.data?.group ? `${t('group')} ${state.data.group.name}` : `${t('group')} ${groupId}`}
      actions={<Link to={{ name: 'area', area: 'groups' }}>← {t('area_groups')}</Link>}
    >
      <Loaded state={state}>
        {({ group }) =>
          !group ? (
            <ErrorNotice error={new Error(t('notFound'))} />
          ) : (
            <>
              <Panel title={group.name}>
                <dl className="facts">
                  <dt>{t('groupId')}</dt>
                  <dd>
                    <code>{group.id}</code>
                  </dd>
                  <dt>{t('requiresCertification')}</dt>
                  <dd>
                    {group.requiresCertification ? t('yes') : t('no')}
                    {manage ? (
                      <>
                        {' '}
                        <button
                          type="button"
                          disabled={action.busy}
                          onClick={() => void setRequirement(group, !group.requiresCertification)}
                        >
                          {group.requiresCertification ? t('stopRequiringCertification') : t('requireCertification')}
                        </button>
                      </>
                    ) : null}
                  </dd>
                  <dt>{t('archived')}</dt>
                  <dd>{group.archived ? t('yes') : t('no')}</dd>
                  <dt>{t('revision')}</dt>
                  <dd>{group.revision}</dd>
                </dl>
                <p>
                  <Link to={{ name: 'area', area: 'moderation' }}>{t('area_moderation')}</Link>
                </p>
              </Panel>
              <Panel title={t('owners')}>
                {group.owners.length === 0 ? (
                  <p className="muted">{t('none')}</p>
                ) : (
                  <ScrollArea label={t('owners')}>
                    <table>
                      <thead>
                        <tr>
                          <th scope="col">{t('member')}</th>
                          <th scope="col">{t('certification')}</th>
                          <th scope="col">{t('level')}</th>
                          <th scope="col">{t('expires')}</th>
                          <th scope="col">{t('missingForNextLevel')}</th>
                          {manage ? <th scope="col">{t('actions')}</th> : null}
                        </tr>
                      </thead>
                      <tbody>
                        {group.owners.map((o) => (
                          <OwnerRow key={o} memberId={o} members={members}>
                            {manage ? (
                              <td>
                                {/* Removing an owner ends their moderation of the group: asked again first. */}
                                <button type="button" disabled={action.busy || removing === o} onClick={() => setRemoving(o)}>
                                  {t('removeOwner', { member: nameText(members, o) })}
                                </button>
                              </td>
                            ) : null}
                          </OwnerRow>
                        ))}
                      </tbody>
                    </table>
                  </ScrollArea>
                )}
                {manage && removing !== null && group.owners.includes(removing) ? (
                  <Confirmation
                    label={t('removeOwner', { member: nameText(members, removing) })}
                    confirm={t('removeOwnerConfirmButton')}
                    busy={action.busy}
                    onConfirm={() => void changeOwner(group, removing, true)}
                    onCancel={() => setRemoving(null)}
                  >
                    <p>
                      {t(group.owners.length === 1 ? 'removeLastOwnerConfirm' : 'removeOwnerConfirm', {
                        member: nameText(members, removing),
                        group: group.name,
                      })}
                    </p>
                  </Confirmation>
                ) : null}
                {manage ? (
                  <form
                    className="filters"
                    onSubmit={(ev) => {
                      ev.preventDefault();
                      const memberId = resolveId(members.entries, owner);
                      if (memberId) void changeOwner(group, memberId, false).then((ok) => ok && setOwner(''));
                    }}
                  >
                    <IdPicker
                      kind="member"
                      id="owner-member"
                      label={t('member')}
                      required
                      value={owner}
                      exclude={group.owners}
                      onChange={setOwner}
                    />
                    <div className="filter-buttons">
                      <button type="submit" className="primary" disabled={action.busy || !owner.trim()}>
                        {t('assignOwner')}
                      </button>
                    </div>
                  </form>
                ) : null}
                {action.outcome}
              </Panel>
            </>
          )
        }
      </Loaded>
    </Page>
  );
}

function OwnerRow({ memberId, members, children }: { memberId: string; members: Directory; children?: ReactNode }) {
  const { date } = useConsole();
  const state = useQuery<{ certification: Certification }>(CERTIFICATION, { memberId });
  const c = state.data?.certification;
  return (
    <tr>
      <td>
        <Name kind="member" id={memberId} directory={members} />
      </td>
      <td>{state.error ? <span className="muted">—</span> : c ? <Badge value={c.status} tone={toneOf(c.status)} /> : '…'}</td>
      <td>{c?.level ?? '—'}</td>
      <td>{date(c?.expiresAt)}</td>
      <td>{c ? c.missingForNextLevel.join(', ') || '—' : '—'}</td>
      {children}
    </tr>
  );
}
