import { Global, Inject, Injectable, Module } from '@nestjs/common';
import { Args, Context, Field, ID, InterfaceType, Query, Resolver } from '@nestjs/graphql';
import { requireActor, type RequestContext } from '../auth/request-context.ts';
import { badInput, DomainError } from '../shared/domain-error.ts';
import { isId } from '../shared/identifiers.ts';

/*
 * Relay Global Object Identification. A global id is `<Type>/<key>/<key>…`: the GraphQL type name, then the parts of the
 * object's natural key, each with only '%' and '/' escaped. Domain ids (src/platform/shared/identifiers.ts) never contain '/',
 * so a global id can never equal a domain id, and the type name keeps two types with the same key apart.
 */

const typenames = new WeakMap<object, string>();

@InterfaceType('Node', {
  description: 'An object a client may cache and fetch again by its id (node(id)).',
  resolveType: (value: object) => typenames.get(value),
})
export abstract class Node {
  @Field(() => ID, { description: 'Globally unique across the API; stable for the life of the object.' })
  id!: string;
}

const escapePart = (part: string) => part.replaceAll('%', '%25').replaceAll('/', '%2F');

/** The global id of the object of type `typename` whose natural key is `keys` (e.g. programme id, member id). */
export function globalId(typename: string, ...keys: readonly (string | number)[]): string {
  return [typename, ...keys.map((key) => escapePart(String(key)))].join('/');
}

/** The type and key parts of a global id; null for anything globalId could not have made. */
export function parseGlobalId(id: string): { typename: string; keys: string[] } | null {
  if (typeof id !== 'string' || id.length > 1_000) return null;
  const [typename, ...escaped] = id.split('/');
  // No natural key has an empty part; a type name is a GraphQL name.
  if (!/^[A-Za-z][A-Za-z0-9]*$/.test(typename ?? '') || escaped.length === 0 || escaped.includes('')) return null;
  let keys: string[];
  try {
    keys = escaped.map((part) => decodeURIComponent(part));
  } catch {
    return null;
  }
  // Only the canonical form is an id: one object, one id (what a cache keys on).
  return globalId(typename!, ...keys) === id ? { typename: typename!, keys } : null;
}

/**
 * The `id` field of a Node type whose read model has no id of its own: the global id of its natural key, computed when
 * the field is read (so every query and mutation answering the type gets it, without touching the read model).
 */
export function NodeIdField<Source>(typename: string, keys: (source: Source) => readonly (string | number)[]): PropertyDecorator {
  return Field(() => ID, {
    description: `Globally unique across the API; stable for the life of the object: ${typename}/<key>.`,
    middleware: [({ source }) => globalId(typename, ...keys(source as Source))],
  });
}

/** Fetches an object by its key parts, with the same authorization as the type's own query (it usually is that query). */
export type NodeFetcher = (keys: readonly string[], context: RequestContext) => Promise<object | null | undefined>;

/** The types node(id) resolves: each module registers its own (from its resolver), so this file imports none of them. */
@Injectable()
export class NodeRegistry {
  private readonly fetchers = new Map<string, { keyCount: number; fetch: NodeFetcher; domainId: boolean }>();

  /**
   * `domainId`: the type's `id` is its domain id as it is (a member id, a group id, ...), not `<Type>/<key>`: node
   * then also finds it by that id alone (see fetchByDomainId).
   */
  register(typename: string, keyCount: number, fetch: NodeFetcher, options: { domainId?: boolean } = {}): void {
    if (this.fetchers.has(typename)) throw new Error(`node type ${typename} is registered twice`);
    if (options.domainId && keyCount !== 1) throw new Error(`node type ${typename}: a domain id is one key`);
    this.fetchers.set(typename, { keyCount, fetch, domainId: options.domainId ?? false });
  }

  registeredTypes(): string[] {
    return [...this.fetchers.keys()].sort();
  }

  async fetch(id: string, context: RequestContext): Promise<object | null> {
    const parsed = parseGlobalId(id);
    // A domain id never holds '/', so it is never a global id: what a Member, Group, ModerationCase... answered as id.
    if (!parsed && isId(id)) return this.fetchByDomainId(id, context);
    const fetcher = parsed && this.fetchers.get(parsed.typename);
    if (!parsed || !fetcher || fetcher.keyCount !== parsed.keys.length) {
      throw badInput('id is not a global id of a type node resolves (<Type>/<key>, as the id field of a Node answers it)', {
        field: 'id',
      });
    }
    const found = await fetcher.fetch(parsed.keys, context).catch((error: unknown) => {
      // Some single-object queries answer NOT_FOUND (memberStanding, certification); node is nullable: null.
      if (error instanceof DomainError && error.code === 'NOT_FOUND') return null;
      throw error;
    });
    return found ? typed(found, parsed.typename) : null;
  }

  /**
   * node(id) with the id a domain-id type answered (Relay refetches with `node(id: object.id)`). Domain ids are unique
   * within their type only, so every such type is asked, each with its own authorization; what the caller may not see
   * there (FORBIDDEN, NOT_FOUND, or an id of another form, BAD_USER_INPUT) counts as not there, so the search tells no
   * more than the types' own queries. One match is the answer; none is null; two (a member and a group both named
   * "x") are BAD_USER_INPUT asking for the typed form `<Type>/<id>`, which always works.
   */
  private async fetchByDomainId(id: string, context: RequestContext): Promise<object | null> {
    const types = [...this.fetchers.entries()].filter(([, fetcher]) => fetcher.domainId);
    const found = await Promise.all(
      types.map(async ([typename, fetcher]) => {
        try {
          const object = await fetcher.fetch([id], context);
          return object ? { typename, object } : null;
        } catch (error) {
          if (error instanceof DomainError && ['FORBIDDEN', 'NOT_FOUND', 'BAD_USER_INPUT'].includes(error.code)) return null;
          throw error;
        }
      }),
    );
    const matches = found.filter((match) => match !== null);
    if (matches.length > 1) {
      const names = matches.map((match) => match.typename).sort();
      throw badInput(`${names.join(' and ')} both have the id ${id}: ask for one as <Type>/<id>, e.g. ${names[0]}/${id}`, {
        field: 'id',
      });
    }
    return matches[0] ? typed(matches[0].object, matches[0].typename) : null;
  }
}

/** resolveType reads the type from here: the objects are plain read-model views without a __typename. */
function typed(found: object, typename: string): object {
  const node = { ...found };
  typenames.set(node, typename);
  return node;
}

@Resolver(() => Node)
export class NodeResolver {
  constructor(@Inject(NodeRegistry) private readonly registry: NodeRegistry) {}

  @Query(() => Node, { nullable: true, description: 'Any object by its global id (Relay Global Object Identification).' })
  node(@Args('id', { type: () => ID }) id: string, @Context() context: RequestContext): Promise<object | null> {
    requireActor(context);
    return this.registry.fetch(id, context);
  }
}

@Global()
@Module({ providers: [NodeRegistry, NodeResolver], exports: [NodeRegistry] })
export class NodeModule {}
