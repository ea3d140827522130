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

export interface ApiErrorDetails {
  /** The input field the API named (BAD_USER_INPUT). */
  readonly field?: string | undefined;
  /** The rest of the error's extensions (actualRevision, saved, retryable, …), as the API sent them. */
  readonly extensions?: Readonly<Record<string, unknown>>;
  /** The HTTP status, when the answer was not GraphQL's. */
  readonly status?: number | undefined;
  /** True when `message` is the service's own (English) text, not one the console made up. */
  readonly fromService?: boolean;
  /** A page's own line for this failure, in the console's language (it replaces the code's). */
  readonly headline?: string | undefined;
}

/**
 * What went wrong, as the API said it: extensions.code, the service's English message and its details (the field for
 * BAD_USER_INPUT, the revision of a CONFLICT, …). describeError (errors.ts) says it in the console's language.
 */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  readonly field: string | undefined;
  readonly extensions: Readonly<Record<string, unknown>>;
  readonly status: number | undefined;
  readonly fromService: boolean;
  readonly headline: string | undefined;
  constructor(
    readonly code: ErrorCode,
    message: string,
    details: ApiErrorDetails = {},
  ) {
    super(message);
    this.field = details.field;
    this.extensions = details.extensions ?? {};
    this.status = details.status;
    this.fromService = details.fromService ?? false;
    this.headline = details.headline;
  }

  /** The same failure with a page's own headline. */
  withHeadline(headline: string): ApiError {
    return new ApiError(this.code, this.message, {
      field: this.field,
      extensions: this.extensions,
      status: this.status,
      fromService: this.fromService,
      headline,
    });
  }
}

interface GraphQLBody {
  data?: unknown;
  errors?: { message?: string; extensions?: { code?: unknown; field?: unknown; [key: string]: unknown } }[];
}

/** The first error of a GraphQL answer as an ApiError, or null when there is none. */
export function errorOf(status: number, body: GraphQLBody | null): ApiError | null {
  const first = body?.errors?.[0];
  if (first) {
    const { code: raw, field, ...extensions } = first.extensions ?? {};
    const code = CODES.includes(raw as ErrorCode) ? (raw as ErrorCode) : status === 401 ? 'UNAUTHENTICATED' : 'UNKNOWN';
    return new ApiError(code, first.message ?? code, {
      field: typeof field === 'string' ? field : undefined,
      extensions,
      status,
      fromService: typeof first.message === 'string' && first.message.length > 0,
    });
  }
  if (status === 401) return new ApiError('UNAUTHENTICATED', 'sign in again', { status });
  if (status >= 400 || !body || body.data === undefined || body.data === null) {
    return new ApiError(status >= 500 ? 'INTERNAL_SERVER_ERROR' : 'UNKNOWN', `the service answered HTTP ${status}`, { status });
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
