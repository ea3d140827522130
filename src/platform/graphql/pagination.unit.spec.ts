import { DomainError } from '../shared/domain-error.ts';
import { encodeIdCursor } from '../shared/id-cursor.ts';
import {
  boundOperator,
  keyCondition,
  keysetPage,
  pageRequest,
  type CursorCodec,
  type KeyBound,
  type KeysetFetch,
  type PageRequest,
} from './pagination.ts';

/** A list in memory, read the way a SQL keyset query reads it; records every range asked for. */
function inMemory(keys: string[]) {
  const sorted = [...keys].sort();
  const ranges: { bound: KeyBound | null; order: 'ASC' | 'DESC'; limit: number }[] = [];
  const within = (key: string, bound: KeyBound) =>
    key === bound.key ? bound.inclusive : bound.side === 'above' ? key > bound.key : key < bound.key;
  const fetch: KeysetFetch<string> = async (range) => {
    ranges.push(range);
    const matching = sorted.filter((key) => range.bound === null || within(key, range.bound));
    return (range.order === 'ASC' ? matching : matching.reverse()).slice(0, range.limit);
  };
  return { fetch, ranges };
}

const page = (request: PageRequest, keys: string[]) => keysetPage(request, (key) => key, inMemory(keys).fetch);
const KEYS = ['k-1', 'k-2', 'k-3', 'k-4', 'k-5'];
const cursor = encodeIdCursor;

async function refusal(promiseOrCall: Promise<unknown> | (() => unknown)): Promise<DomainError> {
  try {
    await (typeof promiseOrCall === 'function' ? promiseOrCall() : promiseOrCall);
  } catch (error) {
    expect(error).toBeInstanceOf(DomainError);
    return error as DomainError;
  }
  throw new Error('expected a refusal');
}

describe('pageRequest', () => {
  test('pages forward with first (default 20) and after', () => {
    expect(pageRequest({})).toEqual({ direction: 'forward', size: 20, cursor: null });
    expect(pageRequest({ first: null, after: null, last: null, before: null })).toEqual({ direction: 'forward', size: 20, cursor: null });
    expect(pageRequest({ first: 5, after: 'abc' })).toEqual({ direction: 'forward', size: 5, cursor: 'abc' });
    expect(pageRequest({ first: 100 })).toMatchObject({ size: 100 });
  });

  test('pages backward with last (default 20) or before, ignoring the first the schema always fills in', () => {
    expect(pageRequest({ first: 20, last: 3 })).toEqual({ direction: 'backward', size: 3, cursor: null });
    expect(pageRequest({ first: 20, before: 'abc' })).toEqual({ direction: 'backward', size: 20, cursor: 'abc' });
    expect(pageRequest({ first: 7, last: 2, before: 'abc' })).toEqual({ direction: 'backward', size: 2, cursor: 'abc' });
  });

  test.each([0, -1, 101, 1.5, Number.NaN])('refuses first = %p as bad input on first', async (first) => {
    const error = await refusal(() => pageRequest({ first }));
    expect(error).toMatchObject({ code: 'BAD_USER_INPUT', message: 'first must be from 1 to 100', details: { field: 'first' } });
  });

  test.each([0, -1, 101, 2.5])('refuses last = %p as bad input on last', async (last) => {
    const error = await refusal(() => pageRequest({ last }));
    expect(error).toMatchObject({ code: 'BAD_USER_INPUT', message: 'last must be from 1 to 100', details: { field: 'last' } });
  });

  test('refuses after with before, and after with last: a window between cursors is not answered half', async () => {
    expect(await refusal(() => pageRequest({ after: 'a', before: 'b' }))).toMatchObject({
      code: 'BAD_USER_INPUT',
      details: { field: 'before' },
    });
    expect(await refusal(() => pageRequest({ after: 'a', last: 2 }))).toMatchObject({
      code: 'BAD_USER_INPUT',
      details: { field: 'after' },
    });
  });
});

describe('keysetPage', () => {
  test('the first page forward: no previous page, a next one, cursors of its first and last node', async () => {
    expect(await page({ direction: 'forward', size: 2, cursor: null }, KEYS)).toEqual({
      rows: ['k-1', 'k-2'],
      pageInfo: { hasPreviousPage: false, hasNextPage: true, startCursor: cursor('k-1'), endCursor: cursor('k-2') },
    });
  });

  test('forward after a cursor: the nodes after it, with a previous page (the cursor node itself counts)', async () => {
    expect(await page({ direction: 'forward', size: 2, cursor: cursor('k-2') }, KEYS)).toEqual({
      rows: ['k-3', 'k-4'],
      pageInfo: { hasPreviousPage: true, hasNextPage: true, startCursor: cursor('k-3'), endCursor: cursor('k-4') },
    });
    expect(await page({ direction: 'forward', size: 2, cursor: cursor('k-3') }, KEYS)).toEqual({
      rows: ['k-4', 'k-5'],
      pageInfo: { hasPreviousPage: true, hasNextPage: false, startCursor: cursor('k-4'), endCursor: cursor('k-5') },
    });
  });

  test('the last page backward: in list order, a previous page, no next one', async () => {
    expect(await page({ direction: 'backward', size: 2, cursor: null }, KEYS)).toEqual({
      rows: ['k-4', 'k-5'],
      pageInfo: { hasPreviousPage: true, hasNextPage: false, startCursor: cursor('k-4'), endCursor: cursor('k-5') },
    });
  });

  test('backward before a cursor walks to the start, where hasPreviousPage turns false', async () => {
    expect(await page({ direction: 'backward', size: 2, cursor: cursor('k-4') }, KEYS)).toEqual({
      rows: ['k-2', 'k-3'],
      pageInfo: { hasPreviousPage: true, hasNextPage: true, startCursor: cursor('k-2'), endCursor: cursor('k-3') },
    });
    expect(await page({ direction: 'backward', size: 2, cursor: cursor('k-2') }, KEYS)).toEqual({
      rows: ['k-1'],
      pageInfo: { hasPreviousPage: false, hasNextPage: true, startCursor: cursor('k-1'), endCursor: cursor('k-1') },
    });
    expect(await page({ direction: 'backward', size: 2, cursor: cursor('k-3') }, KEYS)).toMatchObject({
      rows: ['k-1', 'k-2'],
      pageInfo: { hasPreviousPage: false, hasNextPage: true },
    });
  });

  test('a page that holds the whole list has neither neighbour, whichever way it was read', async () => {
    const whole = { hasPreviousPage: false, hasNextPage: false, startCursor: cursor('k-1'), endCursor: cursor('k-5') };
    expect(await page({ direction: 'forward', size: 5, cursor: null }, KEYS)).toEqual({ rows: KEYS, pageInfo: whole });
    expect(await page({ direction: 'backward', size: 10, cursor: null }, KEYS)).toEqual({ rows: KEYS, pageInfo: whole });
  });

  test('an empty list or a page past either end: no nodes, null cursors, flags toward the rest', async () => {
    const none = { hasPreviousPage: false, hasNextPage: false, startCursor: null, endCursor: null };
    expect(await page({ direction: 'forward', size: 2, cursor: null }, [])).toEqual({ rows: [], pageInfo: none });
    expect(await page({ direction: 'backward', size: 2, cursor: null }, [])).toEqual({ rows: [], pageInfo: none });
    expect(await page({ direction: 'forward', size: 2, cursor: cursor('k-5') }, KEYS)).toEqual({
      rows: [],
      pageInfo: { ...none, hasPreviousPage: true },
    });
    expect(await page({ direction: 'backward', size: 2, cursor: cursor('k-1') }, KEYS)).toEqual({
      rows: [],
      pageInfo: { ...none, hasNextPage: true },
    });
  });

  test('a cursor whose node is gone still pages from where it was', async () => {
    const keys = ['k-1', 'k-2', 'k-4', 'k-5'];
    expect(await page({ direction: 'forward', size: 1, cursor: cursor('k-3') }, keys)).toMatchObject({
      rows: ['k-4'],
      pageInfo: { hasPreviousPage: true, hasNextPage: true },
    });
    expect(await page({ direction: 'backward', size: 5, cursor: cursor('k-3') }, keys)).toMatchObject({
      rows: ['k-1', 'k-2'],
      pageInfo: { hasPreviousPage: false, hasNextPage: true },
    });
  });

  test('reads one node more than the page and one behind the cursor, nothing else', async () => {
    const list = inMemory(KEYS);
    await keysetPage({ direction: 'backward', size: 2, cursor: cursor('k-4') }, (key) => key, list.fetch);
    expect(list.ranges).toEqual([
      { bound: { key: 'k-4', side: 'below', inclusive: false }, order: 'DESC', limit: 3 },
      { bound: { key: 'k-4', side: 'above', inclusive: true }, order: 'ASC', limit: 1 },
    ]);
  });

  test.each([
    ['forward', 'after'],
    ['backward', 'before'],
  ] as const)('a %s cursor that is not one is bad input on %s, and nothing is read', async (direction, field) => {
    for (const bad of [
      '',
      '***',
      'not a cursor',
      Buffer.from('a b').toString('base64url'),
      cursor('k-1') + '=',
      Buffer.from('k 1').toString('base64'),
    ]) {
      const list = inMemory(KEYS);
      const error = await refusal(keysetPage({ direction, size: 2, cursor: bad }, (key) => key, list.fetch));
      expect(error).toMatchObject({ code: 'BAD_USER_INPUT', message: `${field} is not a valid cursor`, details: { field } });
      expect(list.ranges).toEqual([]);
    }
  });

  test('a list with its own cursor form (a key of more than one part) pages with it', async () => {
    type Key = readonly [number, string];
    const rows: Key[] = [
      [1, 'b'],
      [1, 'c'],
      [2, 'a'],
    ];
    const compare = (a: Key, b: Key) => a[0] - b[0] || a[1].localeCompare(b[1]);
    const codec: CursorCodec<Key> = {
      encode: (key) => `${key[0]}.${key[1]}`,
      decode: (text, field) => {
        const [at, id] = text.split('.');
        if (!at || !id) throw new DomainError('BAD_USER_INPUT', `${field} is not a valid cursor`, { field });
        return [Number(at), id];
      },
    };
    const fetch: KeysetFetch<Key, Key> = async ({ bound, order, limit }) => {
      const matching = rows.filter((row) => {
        if (bound === null) return true;
        const comparison = compare(row, bound.key);
        return comparison === 0 ? bound.inclusive : bound.side === 'above' ? comparison > 0 : comparison < 0;
      });
      return (order === 'ASC' ? matching : matching.toReversed()).slice(0, limit);
    };
    expect(await keysetPage({ direction: 'backward', size: 1, cursor: '2.a' }, (row) => row, fetch, codec)).toEqual({
      rows: [[1, 'c']],
      pageInfo: { hasPreviousPage: true, hasNextPage: true, startCursor: '1.c', endCursor: '1.c' },
    });
    expect(await refusal(keysetPage({ direction: 'backward', size: 1, cursor: 'x' }, (row) => row, fetch, codec))).toMatchObject({
      details: { field: 'before' },
    });
  });
});

describe('keyCondition and boundOperator', () => {
  test('compare strictly, or not, above or below the key', () => {
    expect(keyCondition('m.memberId', { key: 'm-1', side: 'above', inclusive: false })).toEqual({
      sql: 'm.memberId > :cursorKey',
      parameters: { cursorKey: 'm-1' },
    });
    expect(keyCondition('g.groupId', { key: 'g-1', side: 'below', inclusive: true }, 'at')).toEqual({
      sql: 'g.groupId <= :at',
      parameters: { at: 'g-1' },
    });
    expect(boundOperator({ side: 'above', inclusive: true })).toBe('>=');
    expect(boundOperator({ side: 'below', inclusive: false })).toBe('<');
  });
});
