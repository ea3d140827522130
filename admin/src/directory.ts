// Names instead of ids: members, groups, programmes and agreements as the list queries give them, and what a person
// typed into a picker resolved to an id. Pure functions, unit-tested; the hooks that load the lists are in
// pages/names.tsx.

export type DirectoryKind = 'member' | 'group' | 'programme' | 'agreement';

/** One entry of a list: its id, the name people know it by, and (members) a detail to tell two namesakes apart. */
export interface Named {
  readonly id: string;
  readonly name: string;
  readonly detail?: string | null;
}

/** The entries by id; an id the lists do not hold (not listed in the directory, beyond the pages read) has no name. */
export function indexOf(entries: readonly Named[]): ReadonlyMap<string, Named> {
  return new Map(entries.map((entry) => [entry.id, entry]));
}

/**
 * The id meant by what was typed into a picker: an id as it is; else a name (case and spacing ignored) that one entry
 * alone carries; else the text as typed (the API then answers for an id it does not know).
 */
export function resolveId(entries: readonly Named[], typed: string): string {
  const text = typed.trim();
  if (text === '' || entries.some((entry) => entry.id === text)) return text;
  const key = normalised(text);
  const named = entries.filter((entry) => normalised(entry.name) === key);
  return named.length === 1 ? named[0]!.id : text;
}

/** The label a picker offers for an entry: its name, with its detail when there is one. */
export function optionLabel(entry: Named): string {
  return entry.detail ? `${entry.name} · ${entry.detail}` : entry.name;
}

function normalised(text: string): string {
  return text.trim().replace(/\s+/g, ' ').toLocaleLowerCase();
}

/** What a picker asks the server about: two characters or more (one would match most of a directory). */
export function searchable(typed: string): boolean {
  return typed.trim().length >= 2;
}

/** The entries of both lists, each id once (the first list's entry kept), in the first list's order then the new ones. */
export function mergeEntries(held: readonly Named[], found: readonly Named[]): readonly Named[] {
  if (found.length === 0) return held;
  const known = new Set(held.map((entry) => entry.id));
  const added = found.filter((entry) => !known.has(entry.id));
  return added.length === 0 ? held : [...held, ...added];
}
