import { useState, type FormEvent } from 'react';
import { CERTIFICATION_LEVELS, TRAINING_ENROLMENT, TRAINING_PROGRAMME } from '../api/documents.ts';
import { useConsole } from '../context.ts';
import { Badge, Empty, Loaded, Page, Panel, toneOf, useQuery } from '../ui.tsx';
import { rememberId, useStreamIds } from './shared.tsx';

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

export function TrainingPage() {
  const { t } = useConsole();
  const levels = useQuery<{ certificationLevels: { requiredProgrammes: string[] }[] }>(CERTIFICATION_LEVELS);
  const fromLevels = [...new Set((levels.data?.certificationLevels ?? []).flatMap((l) => l.requiredProgrammes))];
  const [added, setAdded] = useState<string[]>([]);
  const { ids } = useStreamIds('training_programme', 'TrainingProgrammeDefined', [...fromLevels, ...added]);
  const [lookup, setLookup] = useState('');
  const [enrolmentQuery, setEnrolmentQuery] = useState<{ programmeId: string; memberId: string } | null>(null);
  const [draft, setDraft] = useState({ programmeId: '', memberId: '' });

  const addProgramme = (event: FormEvent) => {
    event.preventDefault();
    const id = lookup.trim();
    if (!id) return;
    rememberId('training_programme', id);
    setAdded((list) => [...new Set([...list, id])]);
    setLookup('');
  };

  return (
    <Page title={t('area_training')}>
      <Panel title={t('lookUpEnrolment')}>
        <form
          className="filters"
          onSubmit={(ev) => {
            ev.preventDefault();
            if (draft.programmeId.trim() && draft.memberId.trim())
              setEnrolmentQuery({ programmeId: draft.programmeId.trim(), memberId: draft.memberId.trim() });
          }}
        >
          <div className="field">
            <label htmlFor="e-programme">{t('programmeId')}</label>
            <input
              id="e-programme"
              value={draft.programmeId}
              list="known-programmes"
              onChange={(ev) => setDraft({ ...draft, programmeId: ev.target.value })}
            />
            <datalist id="known-programmes">
              {ids.map((id) => (
                <option key={id} value={id} />
              ))}
            </datalist>
          </div>
          <div className="field">
            <label htmlFor="e-member">{t('memberId')}</label>
            <input id="e-member" value={draft.memberId} onChange={(ev) => setDraft({ ...draft, memberId: ev.target.value })} />
          </div>
          <div className="filter-buttons">
            <button type="submit" className="primary">
              {t('lookUp')}
            </button>
          </div>
        </form>
        {enrolmentQuery ? <EnrolmentView key={`${enrolmentQuery.programmeId}/${enrolmentQuery.memberId}`} {...enrolmentQuery} /> : null}
      </Panel>

      <Panel title={t('programmes')}>
        <form className="filters" onSubmit={addProgramme}>
          <div className="field">
            <label htmlFor="p-lookup">{t('programmeId')}</label>
            <input id="p-lookup" value={lookup} onChange={(ev) => setLookup(ev.target.value)} />
          </div>
          <div className="filter-buttons">
            <button type="submit">{t('lookUp')}</button>
          </div>
        </form>
        {ids.length === 0 ? <Empty /> : ids.map((id) => <ProgrammeView key={id} id={id} />)}
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

function EnrolmentView({ programmeId, memberId }: { programmeId: string; memberId: string }) {
  const { t, dateTime } = useConsole();
  const state = useQuery<{ trainingEnrolment: Enrolment | null }>(TRAINING_ENROLMENT, { programmeId, memberId });
  return (
    <Loaded state={state}>
      {({ trainingEnrolment: en }) =>
        !en ? (
          <p className="muted">{t('notEnrolled')}</p>
        ) : (
          <dl className="facts">
            <dt>{t('status')}</dt>
            <dd>
              <Badge value={en.status} tone={toneOf(en.status)} />
            </dd>
            <dt>{t('enrolled')}</dt>
            <dd>
              {dateTime(en.enrolledAt)}{' '}
              <span className="muted">
                ({t('revision')} {en.programmeRevision})
              </span>
            </dd>
            <dt>{t('completed')}</dt>
            <dd>{dateTime(en.completedAt)}</dd>
            <dt>{t('completedModules')}</dt>
            <dd>{en.completedModules.join(', ') || '—'}</dd>
            <dt>{t('remainingModules')}</dt>
            <dd>{en.remainingRequiredModules.join(', ') || '—'}</dd>
          </dl>
        )
      }
    </Loaded>
  );
}
