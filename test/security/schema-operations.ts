import {
  buildSchema,
  getNamedType,
  isCompositeType,
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLObjectType,
  type GraphQLSchema,
} from 'graphql';
import type { TestService } from '../support/test-service.ts';

export type OperationKind = 'query' | 'mutation';

export interface Operation {
  readonly kind: OperationKind;
  readonly name: string;
  readonly args: readonly GraphQLArgument[];
  readonly field: GraphQLField<unknown, unknown>;
  /** The smallest document that calls it: every argument a variable named like it, `__typename` as the selection. */
  readonly document: string;
}

/** The schema the running service serves (not the committed schema.gql): a new operation is found the moment it exists. */
export function servedSchema(t: TestService): GraphQLSchema {
  return buildSchema(t.service.schemaSdl());
}

export function operationsOf(schema: GraphQLSchema, kind: OperationKind): Operation[] {
  const root: GraphQLObjectType | null | undefined = kind === 'query' ? schema.getQueryType() : schema.getMutationType();
  if (!root) return [];
  return Object.values(root.getFields()).map((field) => ({
    kind,
    name: field.name,
    args: field.args,
    field,
    document: documentFor(kind, field),
  }));
}

function documentFor(kind: OperationKind, field: GraphQLField<unknown, unknown>): string {
  const declarations = field.args.map((arg) => `$${arg.name}: ${String(arg.type)}`).join(', ');
  const call = field.args.map((arg) => `${arg.name}: $${arg.name}`).join(', ');
  const selection = isCompositeType(getNamedType(field.type)) ? ' { __typename }' : '';
  return `${kind} ${field.name}Op${declarations ? `(${declarations})` : ''} { ${field.name}${call ? `(${call})` : ''}${selection} }`;
}

/** What a response says, read whatever its shape (Apollo's, the body parser's, the rate limiter's). */
export interface Answer {
  readonly status: number;
  readonly text: string;
  readonly json: { data?: unknown; errors?: { message: string; extensions?: Record<string, unknown> }[] } | undefined;
  readonly codes: string[];
}

export async function post(t: TestService, body: string, token: string | null, headers: Record<string, string> = {}): Promise<Answer> {
  const response = await fetch(`${t.service.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
    body,
  });
  const text = await response.text();
  let json: Answer['json'];
  try {
    json = JSON.parse(text) as Answer['json'];
  } catch {
    json = undefined;
  }
  const codes = (json?.errors ?? []).map((error) => String(error.extensions?.code ?? 'NO_CODE'));
  return { status: response.status, text, json, codes };
}

export const call = (t: TestService, operation: Operation, variables: Record<string, unknown>, token: string | null) =>
  post(t, JSON.stringify({ query: operation.document, variables }), token);

/** How many events the store holds: what "a refused command appends nothing" is checked against. */
export function eventCount(t: TestService): Promise<number> {
  return t.eventCount();
}

/** What a stack trace, a file path or SQL would look like in a response body (as in service-limits.e2e.spec.ts). */
export const LEAKS: readonly [string, RegExp][] = [
  ['a stack frame', /\bat [\w$.<>]+ \(|\n\s+at /],
  ['node_modules', /node_modules/],
  ['a source path', /\/work\/|\.ts:\d+|\.js:\d+/],
  ['SQL', /\b(SELECT|INSERT INTO|UPDATE \w+ SET|DELETE FROM|es_events|read_models)\b/],
  ['a PostgreSQL error', /invalid byte sequence|QueryFailedError|relation "|syntax error at or near|violates .* constraint/i],
];

export function leakIn(text: string): string | undefined {
  return LEAKS.find(([, pattern]) => pattern.test(text))?.[0];
}

/** Long values shortened for a failure message. */
export function brief(value: unknown, max = 300): string {
  const text = JSON.stringify(value, (_key, v: unknown) =>
    typeof v === 'string' && v.length > 60 ? `${v.slice(0, 40)}…(${v.length} chars)` : v,
  );
  return text === undefined ? String(value) : text.length > max ? `${text.slice(0, max)}…` : text;
}
