// Publishing an agreement version, as pure functions the page renders: the line differences from the current text,
// and how many members the new version asks to accept (again).

export type DiffLine = { readonly kind: 'same' | 'added' | 'removed'; readonly text: string };

/**
 * The lines of `after` against those of `before`: kept, added or removed, in reading order (a longest common
 * subsequence; agreements are a few hundred lines at most, so the quadratic table is small).
 */
export function lineDiff(before: string, after: string): DiffLine[] {
  const a = before === '' ? [] : before.split(/\r?\n/);
  const b = after === '' ? [] : after.split(/\r?\n/);
  // common[i][j]: the length of the longest common subsequence of a[i..] and b[j..].
  const common: number[][] = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      common[i]![j] = a[i] === b[j] ? common[i + 1]![j + 1]! + 1 : Math.max(common[i + 1]![j]!, common[i]![j + 1]!);
    }
  }
  const lines: DiffLine[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      lines.push({ kind: 'same', text: a[i]! });
      i++;
      j++;
    } else if (common[i + 1]![j]! >= common[i]![j + 1]!) {
      lines.push({ kind: 'removed', text: a[i++]! });
    } else {
      lines.push({ kind: 'added', text: b[j++]! });
    }
  }
  while (i < a.length) lines.push({ kind: 'removed', text: a[i++]! });
  while (j < b.length) lines.push({ kind: 'added', text: b[j++]! });
  return lines;
}

/** Whether a diff changes anything. */
export function changesSomething(diff: readonly DiffLine[]): boolean {
  return diff.some((line) => line.kind !== 'same');
}

/**
 * What publishing does to acceptance. Every active member is bound by the binding version: the first version, and a
 * version that requires re-acceptance, become binding, so each of them must accept it (those who had accepted the
 * previous one: again); any other version binds nobody anew. Null: a new agreement, whose count the page does not know.
 */
export type PublishImpact =
  | { readonly kind: 'first' }
  | { readonly kind: 'reacceptance'; readonly mustAcceptAgain: number; readonly pendingAfter: number }
  | { readonly kind: 'none' };

export function publishImpact(
  existing: { readonly acceptedCount: number; readonly pendingCount: number } | null,
  requiresReacceptance: boolean,
): PublishImpact {
  if (!existing) return { kind: 'first' };
  if (!requiresReacceptance) return { kind: 'none' };
  return {
    kind: 'reacceptance',
    mustAcceptAgain: existing.acceptedCount,
    pendingAfter: existing.acceptedCount + existing.pendingCount,
  };
}
