import { useState, type FormEvent } from 'react';
import { can } from '../access.ts';
import {
  COMPLETE_TRAINING_MODULE,
  DEFINE_CERTIFICATION_LEVEL,
  DEFINE_TRAINING_PROGRAMME,
  ENROL_IN_TRAINING,
  TRAINING_ENROLMENT,
  TRAINING_PROGRAMME,
} from '../api/documents.ts';
import { useConsole } from '../context.ts';
import { Badge, Empty, Field, Loaded, Page, Panel, toneOf, useAction, useQuery } from '../ui.tsx';
import { resolveId } from '../directory.ts';
import { newCommandId } from '../moderation.ts';
import { parseModules, programmeProgress } from '../my-certification.ts';
import { forgetNames, IdPicker, useDirectory } from './names.tsx';

interface Programme {
  id: string;
  title: string;
  revision: number;
  modules: { moduleId: string; title: string; required: boolean; selfPaced: boolean }[];
}

interface Enrolment {
  programmeId: string;
  memberId: string;
  status: string;
  enrolledAt: string;
  completedAt: string | null;
  completedModules: string[];
  remainingRequiredModules: string[];
  programmeRevision: number;
}

/** The programmes (every one `trainingProgrammes` lists) and one member's enrolment, both picked by name. */
export function TrainingPage() {
  const { t, me } = useConsole();
  // Read again after a programme is defined (a new one listed, a redefined one at its new revision).
  const [generation, setGeneration] = useState(0);
  const programmes = useDirectory('programme', generation);
  const members = useDirectory('member');
  const [enrolmentQuery, setEnrolmentQuery] = useState<{ programmeId: string; memberId: string } | null>(null);
  const [draft, setDraft] = useState({ programmeId: '', memberId: '' });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const programmeId = resolveId(programmes.entries, draft.programmeId);
    const memberId = resolveId(members.entries, draft.memberId);
    if (programmeId && memberId) setEnrolmentQuery({ programmeId, memberId });
  };

  return (
    <Page title={t('area_training')}>
      <Panel title={t('lookUpEnrolment')}>
        <form className="filters" onSubmit={submit}>
          <IdPicker
            kind="programme"
            id="e-programme"
            label={t('programme')}
            value={draft.programmeId}
            onChange={(programmeId) => setDraft({ ...draft, programmeId })}
          />
          <IdPicker
            kind="member"
            id="e-member"
            label={t('member')}
            value={draft.memberId}
            onChange={(memberId) => setDraft({ ...draft, memberId })}
          />
          <div className="filter-buttons">
            <button type="submit" className="primary">
              {t('lookUp')}
            </button>
          </div>
        </form>
        {enrolmentQuery ? <EnrolmentView key={`${enrolmentQuery.programmeId}/${enrolmentQuery.memberId}`} {...enrolmentQuery} /> : null}
      </Panel>

      {can(me.roles, 'manage') ? (
        <div className="grid-2">
          <DefineProgrammeForm onDefined={() => setGeneration((g) => g + 1)} />
          <DefineLevelForm />
        </div>
      ) : null}
      <Panel title={t('programmes')}>
        {programmes.loading ? null : programmes.entries.length === 0 ? (
          <Empty />
        ) : (
          programmes.entries.map((p) => <ProgrammeView key={`${p.id}/${generation}`} id={p.id} />)
        )}
      </Panel>
    </Page>
  );
}

function ProgrammeView({ id }: { id: string }) {
  const { t } = useConsole();
  const state = useQuery<{ trainingProgramme: Programme | null }>(TRAINING_PROGRAMME, { id });
  return (
    <article className="card">
      <Loaded state={state}>
        {({ trainingProgramme: p }) =>
          !p ? (
            <p className="muted">
              <code>{id}</code>: {t('notFound')}
            </p>
          ) : (
            <>
              <h3>
                {p.title}{' '}
                <span className="muted">
                  ({p.id}, {t('revision')} {p.revision})
                </span>
              </h3>
              <ul className="modules">
                {p.modules.map((m) => (
                  <li key={m.moduleId}>
                    <code>{m.moduleId}</code> {m.title} {m.required ? <span className="badge badge-info">{t('required')}</span> : null}{' '}
                    {m.selfPaced ? <span className="badge">{t('selfPaced')}</span> : null}
                  </li>
                ))}
              </ul>
            </>
          )
        }
      </Loaded>
    </article>
  );
}

/**
 * One member's enrolment in a programme. A community manager enrols them (again, after a withdrawal or failure) and
 * records the modules they completed, each read again after the change.
 */
function EnrolmentView({ programmeId, memberId }: { programmeId: string; memberId: string }) {
  const { t, e, dateTime, me, client } = useConsole();
  const state = useQuery<{ trainingEnrolment: Enrolment | null }>(TRAINING_ENROLMENT, { programmeId, memberId });
  const programme = useQuery<{ trainingProgramme: Programme | null }>(TRAINING_PROGRAMME, { id: programmeId });
  const action = useAction(state.reload);
  const manage = can(me.roles, 'manage');
  const en = state.data?.trainingEnrolment ?? null;
  const progress = programmeProgress(programme.data?.trainingProgramme ?? null, en);
  const enrol = async () => {
    const ok = await action.run(
      () => client.request(ENROL_IN_TRAINING, { input: { programmeId, memberId, commandId: newCommandId() } }),
      t('memberEnrolled'),
    );
    if (ok) state.reload();
  };
  const complete = async (moduleId: string, title: string) => {
    const ok = await action.run(
      () => client.request(COMPLETE_TRAINING_MODULE, { input: { programmeId, memberId, moduleId, commandId: newCommandId() } }),
      t('moduleRecordedFor', { module: title }),
    );
    if (ok) state.reload();
  };
  return (
    <>
      <Loaded state={state}>
        {({ trainingEnrolment: enrolment }) =>
          !enrolment ? (
            <p className="muted">{t('notEnrolled')}</p>
          ) : (
            <dl className="facts">
              <dt>{t('status')}</dt>
              <dd>
                <Badge value={enrolment.status} tone={toneOf(enrolment.status)} />
              </dd>
              <dt>{t('enrolled')}</dt>
              <dd>
                {dateTime(enrolment.enrolledAt)}{' '}
                <span className="muted">
                  ({t('revision')} {enrolment.programmeRevision})
                </span>
              </dd>
              <dt>{t('completed')}</dt>
              <dd>{dateTime(enrolment.completedAt)}</dd>
              <dt>{t('completedModules')}</dt>
              <dd>
                {progress.modules
                  .filter((m) => m.done)
                  .map((m) => m.title)
                  .join(', ') || '—'}
              </dd>
              <dt>{t('remainingModules')}</dt>
              <dd>{progress.remaining.map((m) => m.title).join(', ') || '—'}</dd>
            </dl>
          )
        }
      </Loaded>
      {manage && state.data && programme.data?.trainingProgramme ? (
        <div className="filter-buttons">
          {!progress.running ? (
            <button type="button" className="primary" disabled={action.busy} onClick={() => void enrol()}>
              {en ? t('enrolMemberAgain', { status: e(en.status) }) : t('enrolMember')}
            </button>
          ) : (
            progress.modules
              .filter((m) => !m.done)
              .map((m) => (
                <button key={m.moduleId} type="button" disabled={action.busy} onClick={() => void complete(m.moduleId, m.title)}>
                  {t('recordModuleFor', { module: m.title })}
                </button>
              ))
          )}
        </div>
      ) : null}
      {action.outcome}
    </>
  );
}

/** A programme defined, or redefined (a new revision: enrolments keep the modules they were made with). */
function DefineProgrammeForm({ onDefined }: { onDefined: () => void }) {
  const { t, client } = useConsole();
  const action = useAction();
  const [form, setForm] = useState({ programmeId: '', title: '', modules: '' });
  const parsed = parseModules(form.modules);
  const problems = parsed.problems.map((p) => t(`moduleProblem_${p.kind}`, { line: p.line })).join(' ');
  const ready = form.programmeId.trim() && form.title.trim() && parsed.modules.length > 0 && parsed.problems.length === 0;
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!ready) return;
    const ok = await action.run(
      () =>
        client.request(DEFINE_TRAINING_PROGRAMME, {
          input: { programmeId: form.programmeId.trim(), title: form.title.trim(), modules: parsed.modules, commandId: newCommandId() },
        }),
      t('programmeDefined'),
    );
    if (ok) {
      forgetNames(client, 'programme');
      setForm({ programmeId: '', title: '', modules: '' });
      onDefined();
    }
  };
  return (
    <Panel title={t('defineProgramme')}>
      <form onSubmit={(ev) => void submit(ev)}>
        <div className="grid-2">
          <Field label={t('programmeId')} id="dp-id">
            <input id="dp-id" required value={form.programmeId} onChange={(ev) => setForm({ ...form, programmeId: ev.target.value })} />
          </Field>
          <Field label={t('title')} id="dp-title">
            <input id="dp-title" required value={form.title} onChange={(ev) => setForm({ ...form, title: ev.target.value })} />
          </Field>
        </div>
        <Field label={t('modules')} id="dp-modules" hint={t('modulesHint')} problem={problems || undefined}>
          <textarea
            id="dp-modules"
            rows={4}
            required
            aria-describedby="dp-modules-hint"
            value={form.modules}
            onChange={(ev) => setForm({ ...form, modules: ev.target.value })}
          />
        </Field>
        <button type="submit" className="primary" disabled={action.busy || !ready}>
          {t('defineProgramme')}
        </button>
      </form>
      {action.outcome}
    </Panel>
  );
}

/** A certification level defined: its number, name, the programmes it requires (picked by title) and its validity. */
function DefineLevelForm() {
  const { t, client } = useConsole();
  const programmes = useDirectory('programme');
  const action = useAction();
  const [form, setForm] = useState({ level: '', name: '', validityMonths: '12', requiredProgrammes: [] as string[] });
  const level = Number(form.level);
  const months = Number(form.validityMonths);
  const ready = Number.isInteger(level) && level >= 1 && form.name.trim() && Number.isInteger(months) && months >= 1;
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!ready) return;
    const ok = await action.run(
      () =>
        client.request(DEFINE_CERTIFICATION_LEVEL, {
          input: {
            level,
            name: form.name.trim(),
            validityMonths: months,
            requiredProgrammes: form.requiredProgrammes,
            commandId: newCommandId(),
          },
        }),
      t('levelDefined', { level }),
    );
    if (ok) setForm({ level: '', name: '', validityMonths: '12', requiredProgrammes: [] });
  };
  return (
    <Panel title={t('defineLevel')}>
      <form onSubmit={(ev) => void submit(ev)}>
        <div className="grid-2">
          <Field label={t('level')} id="dl-level">
            <input
              id="dl-level"
              type="number"
              min={1}
              step={1}
              required
              value={form.level}
              onChange={(ev) => setForm({ ...form, level: ev.target.value })}
            />
          </Field>
          <Field label={t('name')} id="dl-name">
            <input id="dl-name" required value={form.name} onChange={(ev) => setForm({ ...form, name: ev.target.value })} />
          </Field>
          <Field label={t('validityMonthsLabel')} id="dl-validity">
            <input
              id="dl-validity"
              type="number"
              min={1}
              step={1}
              required
              value={form.validityMonths}
              onChange={(ev) => setForm({ ...form, validityMonths: ev.target.value })}
            />
          </Field>
        </div>
        <fieldset>
          <legend>{t('requiredProgrammes')}</legend>
          {programmes.entries.length === 0 ? <p className="muted">{t('none')}</p> : null}
          {programmes.entries.map((p) => (
            <label key={p.id} className="check">
              <input
                type="checkbox"
                checked={form.requiredProgrammes.includes(p.id)}
                onChange={(ev) =>
                  setForm({
                    ...form,
                    requiredProgrammes: ev.target.checked
                      ? [...form.requiredProgrammes, p.id]
                      : form.requiredProgrammes.filter((id) => id !== p.id),
                  })
                }
              />{' '}
              {p.name} <span className="muted">{p.id}</span>
            </label>
          ))}
        </fieldset>
        <button type="submit" className="primary" disabled={action.busy || !ready}>
          {t('defineLevel')}
        </button>
      </form>
      {action.outcome}
    </Panel>
  );
}
