import { CAPABILITIES, type ConsoleDocument } from './documents.ts';

export type ErrorCode =
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'BAD_USER_INPUT'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'INTERNAL_SERVER_ERROR'
  | 'GRAPHQL_VALIDATION_FAILED'
  | 'RATE_LIMITED'
  | 'NETWORK'
  | 'UNKNOWN';

const CODES: readonly ErrorCode[] = [
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'BAD_USER_INPUT',
  'NOT_FOUND',
  'CONFLICT',
  'INTERNAL_SERVER_ERROR',
  'GRAPHQL_VALIDATION_FAILED',
  'RATE_LIMITED',
];

/** What went wrong, as the API said it (extensions.code, and the field for BAD_USER_INPUT). */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

interface GraphQLBody {
  data?: unknown;
  errors?: { message?: string; extensions?: { code?: unknown; field?: unknown } }[];
}

/** The first error of a GraphQL answer as an ApiError, or null when there is none. */
export function errorOf(status: number, body: GraphQLBody | null): ApiError | null {
  const first = body?.errors?.[0];
  if (first) {
    const raw = first.extensions?.code;
    const code = CODES.includes(raw as ErrorCode) ? (raw as ErrorCode) : status === 401 ? 'UNAUTHENTICATED' : 'UNKNOWN';
    return new ApiError(code, first.message ?? code, typeof first.extensions?.field === 'string' ? first.extensions.field : undefined);
  }
  if (status === 401) return new ApiError('UNAUTHENTICATED', 'sign in again');
  if (status >= 400 || !body || body.data === undefined || body.data === null) {
    return new ApiError(status >= 500 ? 'INTERNAL_SERVER_ERROR' : 'UNKNOWN', `the service answered HTTP ${status}`);
  }
  return null;
}

export interface GraphQLClient {
  request<T>(document: ConsoleDocument, variables?: Record<string, unknown>): Promise<T>;
}

export interface ClientOptions {
  readonly endpoint: string;
  readonly token: () => string | null;
  /** Called when the service no longer accepts the token (expired, revoked). */
  readonly onUnauthenticated: () => void;
  readonly fetch?: typeof fetch;
}

export function createClient(options: ClientOptions): GraphQLClient {
  const send = options.fetch ?? ((input, init) => fetch(input, init));
  return {
    async request<T>(document: ConsoleDocument, variables: Record<string, unknown> = {}): Promise<T> {
      const token = options.token();
      let response: Response;
      try {
        response = await send(options.endpoint, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            accept: 'application/json',
            ...(token ? { authorization: `Bearer ${token}` } : {}),
          },
          body: JSON.stringify({ query: document.query, variables }),
        });
      } catch {
        throw new ApiError('NETWORK', 'the service cannot be reached');
      }
      let body: GraphQLBody | null;
      try {
        body = (await response.json()) as GraphQLBody;
      } catch {
        body = null;
      }
      const error = errorOf(response.status, body);
      if (error) {
        if (error.code === 'UNAUTHENTICATED') options.onUnauthenticated();
        throw error;
      }
      return body!.data as T;
    },
  };
}

/**
 * The root fields the served schema offers: optional features (audit, insights) show only when present. Where
 * introspection is off (production), `known` is false: the console then tries each feature, and one the service
 * does not offer answers GRAPHQL_VALIDATION_FAILED, which the pages show as "not offered".
 */
export interface Capabilities {
  readonly known: boolean;
  readonly queries: ReadonlySet<string>;
  readonly mutations: ReadonlySet<string>;
}

export const UNKNOWN_CAPABILITIES: Capabilities = { known: false, queries: new Set(), mutations: new Set() };

export function capabilitiesOf(data: {
  __schema: { queryType: { fields: { name: string }[] }; mutationType: { fields: { name: string }[] } | null };
}): Capabilities {
  return {
    known: true,
    queries: new Set(data.__schema.queryType.fields.map((f) => f.name)),
    mutations: new Set((data.__schema.mutationType?.fields ?? []).map((f) => f.name)),
  };
}

export function supports(capabilities: Capabilities, document: ConsoleDocument): boolean {
  if (!capabilities.known) return true;
  return (document.requires ?? []).every((field) => capabilities.queries.has(field) || capabilities.mutations.has(field));
}

export async function loadCapabilities(client: GraphQLClient): Promise<Capabilities> {
  try {
    return capabilitiesOf(await client.request(CAPABILITIES));
  } catch (error) {
    if (error instanceof ApiError && error.code === 'UNAUTHENTICATED') throw error;
    return UNKNOWN_CAPABILITIES;
  }
}
