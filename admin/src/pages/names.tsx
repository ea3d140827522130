// Members, groups, programmes and agreements shown by name (the id secondary), and pickers that offer them as one
// types, all from the API's list queries. The lists are read once per kind and kept for a short while, so that a
// page of names costs one request per kind, not one per row.
import { useEffect, useState } from 'react';
import type { GraphQLClient } from '../api/client.ts';
import {
  AGREEMENT_DIRECTORY,
  GROUP_DIRECTORY,
  MEMBER_DIRECTORY,
  MEMBER_SEARCH,
  PROGRAMME_DIRECTORY,
  type ConsoleDocument,
} from '../api/documents.ts';
import { useConsole } from '../context.ts';
import { indexOf, mergeEntries, optionLabel, resolveId, searchable, type DirectoryKind, type Named } from '../directory.ts';
import { Field, type Connection } from '../ui.tsx';

/** How long a list read is reused: long enough for a page's rows, short enough that a new member shows soon. */
const FRESH_MS = 30_000;
/** At most this many pages of 100 per list: enough for a community's directory, bounded for a very large one. */
const MAX_PAGES = 10;

type Loader = { readonly document: ConsoleDocument; readonly field: string; readonly entry: (node: never) => Named };

const LOADERS: Readonly<Record<DirectoryKind, Loader>> = {
  member: {
    document: MEMBER_DIRECTORY,
    field: 'members',
    entry: (node: { id: string; displayName: string; department: string | null }) => ({
      id: node.id,
      name: node.displayName,
      detail: node.department,
    }),
  },
  group: { document: GROUP_DIRECTORY, field: 'groups', entry: (node: { id: string; name: string }) => ({ id: node.id, name: node.name }) },
  programme: {
    document: PROGRAMME_DIRECTORY,
    field: 'trainingProgrammes',
    entry: (node: { id: string; title: string }) => ({ id: node.id, name: node.title }),
  },
  agreement: {
    document: AGREEMENT_DIRECTORY,
    field: 'agreements',
    entry: (node: { id: string; currentVersion: { title: string } }) => ({ id: node.id, name: node.currentVersion.title }),
  },
};

const cache = new WeakMap<GraphQLClient, Map<DirectoryKind, { at: number; list: Promise<Named[]> }>>();

async function readAll(client: GraphQLClient, kind: DirectoryKind): Promise<Named[]> {
  const loader = LOADERS[kind];
  const entries: Named[] = [];
  let after: string | null = null;
  for (let page = 0; page < MAX_PAGES; page++) {
    const answer: Record<string, Connection<never>> = await client.request(loader.document, { after });
    const connection = answer[loader.field]!;
    entries.push(...connection.edges.map(({ node }) => loader.entry(node)));
    if (!connection.pageInfo.hasNextPage) break;
    after = connection.pageInfo.endCursor;
  }
  return entries;
}

function listOf(client: GraphQLClient, kind: DirectoryKind): Promise<Named[]> {
  const lists = cache.get(client) ?? new Map<DirectoryKind, { at: number; list: Promise<Named[]> }>();
  cache.set(client, lists);
  const held = lists.get(kind);
  if (held && Date.now() - held.at < FRESH_MS) return held.list;
  // A list the caller may not read (or a failure) names nothing: the ids are shown as they are.
  const list = readAll(client, kind).catch(() => []);
  lists.set(kind, { at: Date.now(), list });
  return list;
}

/** Forget the lists read, after a change that adds or renames an entry (a group created, an agreement published). */
export function forgetNames(client: GraphQLClient, kind: DirectoryKind): void {
  cache.get(client)?.delete(kind);
}

export interface Directory {
  readonly entries: readonly Named[];
  readonly byId: ReadonlyMap<string, Named>;
  readonly loading: boolean;
}

/** The list of a kind; a new `generation` reads it again (after forgetNames). */
export function useDirectory(kind: DirectoryKind, generation = 0): Directory {
  const { client } = useConsole();
  const [entries, setEntries] = useState<readonly Named[]>([]);
  const [loading, setLoading] = useState(true);
  useEffect(() => {
    let cancelled = false;
    void listOf(client, kind).then((list) => {
      if (cancelled) return;
      setEntries(list);
      setLoading(false);
    });
    return () => {
      cancelled = true;
    };
  }, [client, kind, generation]);
  return { entries, byId: indexOf(entries), loading };
}

/** An entry by name, its id beside it in muted text; the id alone when the lists do not name it. */
export function Name({ kind, id, directory }: { kind: DirectoryKind; id: string | null | undefined; directory?: Directory }) {
  if (!id) return <>—</>;
  return directory ? <NameOf id={id} directory={directory} /> : <LoadedName kind={kind} id={id} />;
}

function LoadedName({ kind, id }: { kind: DirectoryKind; id: string }) {
  return <NameOf id={id} directory={useDirectory(kind)} />;
}

function NameOf({ id, directory }: { id: string; directory: Directory }) {
  const entry = directory.byId.get(id);
  if (!entry || entry.name === id) return <>{id}</>;
  return (
    <>
      {entry.name} <span className="muted">{id}</span>
    </>
  );
}

/** A name in plain text (for option labels and titles): "Name (id)", or the id. */
export function nameText(directory: Directory, id: string): string {
  const entry = directory.byId.get(id);
  return entry && entry.name !== id ? `${entry.name} (${id})` : id;
}

/**
 * A text input that offers the entries of a list as one types (a datalist: name and id both match), and answers the
 * id meant, whether an id or a name was typed (resolveId).
 */
export function IdPicker({
  kind,
  id,
  label,
  value,
  onChange,
  required,
  hint,
  exclude,
}: {
  kind: DirectoryKind;
  id: string;
  label: string;
  value: string;
  onChange: (value: string) => void;
  required?: boolean;
  hint?: string;
  exclude?: readonly string[];
}) {
  const directory = useDirectory(kind);
  // The directory holds the first pages only (MAX_PAGES): members beyond them are found by the server as one types.
  const found = useMemberSearch(kind, value);
  const entries = mergeEntries(directory.entries, found);
  const listId = `${id}-options`;
  const offered = exclude ? entries.filter((entry) => !exclude.includes(entry.id)) : entries;
  return (
    <Field label={label} id={id} hint={hint}>
      <input
        id={id}
        list={listId}
        autoComplete="off"
        required={required}
        aria-describedby={hint ? `${id}-hint` : undefined}
        value={value}
        onChange={(ev) => onChange(ev.target.value)}
        onBlur={() => {
          const resolved = resolveId(entries, value);
          if (resolved !== value.trim()) onChange(resolved);
        }}
      />
      <datalist id={listId}>
        {offered.map((entry) => (
          <option key={entry.id} value={entry.id}>
            {optionLabel(entry)}
          </option>
        ))}
      </datalist>
    </Field>
  );
}

/** How long typing pauses before the server is asked: one request per pause, not per key. */
const SEARCH_PAUSE_MS = 250;

/** Members whose name contains what was typed, from the server (members pickers only; nothing under two characters). */
function useMemberSearch(kind: DirectoryKind, typed: string): readonly Named[] {
  const { client } = useConsole();
  const [found, setFound] = useState<readonly Named[]>([]);
  const text = typed.trim();
  const wanted = kind === 'member' && searchable(text);
  useEffect(() => {
    if (!wanted) return;
    let cancelled = false;
    const timer = setTimeout(() => {
      client
        .request<{ members: Connection<{ id: string; displayName: string; department: string | null }> }>(MEMBER_SEARCH, { search: text })
        .then(
          (answer) => {
            if (!cancelled) setFound(answer.members.edges.map(({ node }) => LOADERS.member.entry(node as never)));
          },
          // Not allowed or not reachable: the pages already held still offer what they can.
          () => undefined,
        );
    }, SEARCH_PAUSE_MS);
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
  }, [client, wanted, text]);
  return wanted ? found : [];
}

/** The id meant by what a picker holds now (a name typed and submitted without leaving the field). */
export function useResolve(kind: DirectoryKind): (typed: string) => string {
  const directory = useDirectory(kind);
  return (typed) => resolveId(directory.entries, typed);
}
