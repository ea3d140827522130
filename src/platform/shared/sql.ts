/**
 * The parenthesised list of SQL string literals for `CHECK (column IN ...)`, from a decider's `as const` array, so that
 * a read model's constraint allows exactly the values the decider knows: `('OPEN', 'CLOSED')`. The values are fixed
 * identifiers, not input, but each is still quoted as a literal (quotes doubled) so that no value can end it.
 */
export function sqlIn(values: readonly string[]): string {
  // `IN ()` is a syntax error; a NUL cannot be sent in a query at all; a backslash would mean something else where
  // standard_conforming_strings is off. None of them belongs in an enum value.
  if (values.length === 0) throw new Error('sqlIn needs at least one value');
  const unquotable = values.find((value) => value.includes('\0') || value.includes('\\'));
  if (unquotable !== undefined) throw new Error(`sqlIn cannot quote ${JSON.stringify(unquotable)}: it has a NUL or a backslash`);
  return `(${values.map((value) => `'${value.replaceAll("'", "''")}'`).join(', ')})`;
}
