import fc from 'fast-check';
import {
  getNullableType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isScalarType,
  type GraphQLArgument,
  type GraphQLInputType,
} from 'graphql';

const MISSING = Symbol('missing');

/** Ids that exist in the world, by the field names that hold them: values that get past "not found" to the rules. */
export type IdPools = Readonly<Record<string, readonly string[]>>;

/** 1 MB of text: within MAX_BODY_BYTES (2 MiB) once, beyond it when an input holds two or three. */
export const ONE_MB = 1_000_000;

const NASTY = [
  '',
  ' ',
  '\t\n\r',
  '\u0000',
  'a\u0000b',
  '\u0007\u001b[31mred',
  '\u007f',
  '\uD800',
  'lone \uDFFF surrogate',
  '\u202Eevil\u202C',
  '\uFEFFbom',
  '\u200B\u200D',
  'Z̴̡̛͓͎a̸̢l̵g̷o̶',
  '👩‍👩‍👧‍👦🏳️‍🌈',
  'null',
  'undefined',
  'NaN',
  'true',
  '0',
  '-1',
  '__proto__',
  'constructor',
  'toString',
  "'; DROP TABLE members; --",
  '" OR 1=1 --',
  '../../../etc/passwd',
  '<script>alert(1)</script>',
  '${jndi:ldap://example.org/a}',
  '{{7*7}}',
  '%s%s%n',
  '\\',
  '"',
  'a'.repeat(101),
  'ä'.repeat(201),
  'b'.repeat(10_001),
  ' padded ',
  'member-x',
  'moderation_case-x:1',
];

/** Text of every kind: printable, any code point (lone surrogates too), control characters, known troublemakers, 1 MB. */
export const hostileText: fc.Arbitrary<string> = fc.oneof(
  { weight: 5, arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }) },
  { weight: 3, arbitrary: fc.string({ unit: 'binary', maxLength: 30 }) },
  { weight: 2, arbitrary: fc.string({ unit: fc.integer({ min: 0, max: 0x1f }).map((c) => String.fromCharCode(c)), maxLength: 8 }) },
  { weight: 4, arbitrary: fc.constantFrom(...NASTY) },
  { weight: 1, arbitrary: fc.constantFrom('x', 'é', '\u0000', '😀', '<').map((c) => c.repeat(Math.floor(ONE_MB / c.length))) },
);

/** A value of the wrong JSON type, whatever was expected. */
const wrongType: fc.Arbitrary<unknown> = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant({}),
  fc.constant([]),
  fc.constant({ nested: { deeper: [1, 'two', null] } }),
  fc.constant([[['deep']]]),
  fc.string({ maxLength: 10 }),
);

const validId = fc.stringMatching(/^[A-Za-z0-9._:@-]{1,100}$/);

const dateTime: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: fc.integer({ min: 1, max: 3_650 }).map((days) => new Date(Date.now() + days * 86_400_000).toISOString()) },
  { weight: 2, arbitrary: fc.date({ min: new Date(-8.64e15), max: new Date(8.64e15), noInvalidDate: true }).map((d) => d.toISOString()) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      'not a date',
      '',
      '2024-02-30T00:00:00Z',
      '2024-13-01',
      '0000-00-00T00:00:00Z',
      '9999-12-31T23:59:59.999Z',
      '+275760-09-13T00:00:00.000Z',
      '-271821-04-20T00:00:00.000Z',
      '1970-01-01T00:00:00Z',
      'Infinity',
      'yesterday',
    ),
  },
  { weight: 1, arbitrary: fc.oneof(fc.integer(), fc.double(), fc.constant(8.64e15 + 1)) },
);

const int: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: -3, max: 12 }) },
  { weight: 2, arbitrary: fc.integer() },
  { weight: 2, arbitrary: fc.constantFrom(2 ** 31, -(2 ** 31) - 1, 2 ** 53 + 2, -0, 1.5, 1e308, -1e308, Number.MIN_VALUE) },
  { weight: 1, arbitrary: fc.constantFrom('1', '', 'one', '0x10', '1e3') },
);

/**
 * Arbitrary JSON for a variable of `type`: mostly well-typed values (ids of the world, so commands reach their rules),
 * with hostile text, out-of-range numbers and dates, nulls for required values, missing and unknown fields, wrong types.
 */
export function hostileValue(type: GraphQLInputType, field: string, pools: IdPools, depth = 0): fc.Arbitrary<unknown> {
  if (isNonNullType(type)) {
    return fc.oneof(
      { weight: 16, arbitrary: wellTyped(type.ofType, field, pools, depth) },
      { weight: 1, arbitrary: fc.constant(null) },
      { weight: 1, arbitrary: wrongType },
    );
  }
  return fc.oneof(
    { weight: 12, arbitrary: wellTyped(type, field, pools, depth) },
    { weight: 3, arbitrary: fc.constant(null) },
    { weight: 1, arbitrary: wrongType },
  );
}

function wellTyped(type: GraphQLInputType, field: string, pools: IdPools, depth: number): fc.Arbitrary<unknown> {
  const nullable = getNullableType(type);
  if (isListType(nullable)) {
    const item = hostileValue(nullable.ofType, field, pools, depth + 1);
    return fc.oneof(
      { weight: 6, arbitrary: fc.array(item, { maxLength: depth > 1 ? 2 : 5 }) },
      // GraphQL takes a single value where a list is expected.
      { weight: 1, arbitrary: item },
      { weight: 1, arbitrary: fc.array(fc.constantFrom('x', 'y'), { minLength: 200, maxLength: 2_000 }) },
    );
  }
  if (isInputObjectType(nullable)) {
    if (depth > 3) return fc.constant({});
    const fields = Object.values(nullable.getFields());
    const model: Record<string, fc.Arbitrary<unknown>> = {};
    for (const f of fields) {
      const value = hostileValue(f.type, f.name, pools, depth + 1);
      // A required field is missing now and then; an optional one half of the time.
      model[f.name] =
        isNonNullType(f.type) && f.defaultValue === undefined
          ? fc.oneof({ weight: 15, arbitrary: value }, { weight: 1, arbitrary: fc.constant(MISSING) })
          : fc.oneof(value, fc.constant(MISSING));
    }
    const extra = fc.option(fc.tuple(fc.constantFrom('unknownField', '__proto__', 'constructor', 'commandID'), hostileText), { freq: 12 });
    return fc.tuple(fc.record(model), extra).map(([value, unknown]) => {
      const result: Record<string, unknown> = {};
      for (const [key, v] of Object.entries(value)) if (v !== MISSING) result[key] = v;
      // defineProperty: a key named __proto__ must be an own field of the JSON, not the object's prototype.
      if (unknown) Object.defineProperty(result, unknown[0], { value: unknown[1], enumerable: true, configurable: true, writable: true });
      return result;
    });
  }
  if (isEnumType(nullable)) {
    return fc.oneof(
      { weight: 8, arbitrary: fc.constantFrom(...nullable.getValues().map((v) => v.name)) },
      { weight: 1, arbitrary: hostileText },
      { weight: 1, arbitrary: fc.constantFrom('spam', 'SPAM ', 'UNKNOWN_VALUE') },
    );
  }
  if (isScalarType(nullable)) {
    switch (nullable.name) {
      case 'ID':
        return idFor(field, pools);
      case 'String':
        return fc.oneof(
          { weight: 4, arbitrary: hostileText },
          { weight: 2, arbitrary: fc.string({ minLength: 1, maxLength: 30 }) },
          { weight: 2, arbitrary: idFor(field, pools) },
        );
      case 'Int':
        return int;
      case 'Float':
        return fc.oneof(fc.double(), int);
      case 'Boolean':
        return fc.oneof({ weight: 6, arbitrary: fc.boolean() }, { weight: 1, arbitrary: fc.constantFrom('true', 0, 1, 'yes') });
      case 'DateTime':
        return dateTime;
      case 'JSON':
        return fc.jsonValue({ maxDepth: 3 });
      default:
        return fc.oneof(hostileText, wrongType);
    }
  }
  return wrongType;
}

function idFor(field: string, pools: IdPools): fc.Arbitrary<unknown> {
  const pool = pools[field] ?? pools['*'] ?? [];
  return fc.oneof(
    { weight: pool.length > 0 ? 6 : 0, arbitrary: pool.length > 0 ? fc.constantFrom(...pool) : fc.constant('x') },
    { weight: 2, arbitrary: validId },
    { weight: 3, arbitrary: hostileText },
    { weight: 1, arbitrary: fc.oneof(fc.integer(), fc.constant(12.5)) },
  );
}

const plausibleText = fc.oneof(
  fc.lorem({ maxCount: 4 }),
  fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 30 }),
  fc.constantFrom('Zoë', 'Ünïcödé ✓', '日本語のテキスト', 'emoji 👍'),
);

/**
 * A well-formed value of `type` (ids of the world, plausible text, small numbers, future dates) except, when `fault`,
 * for one field somewhere in it that gets a hostile value: the input reaches the rules, and one thing is wrong.
 */
function plausibleValue(type: GraphQLInputType, field: string, pools: IdPools, fault: boolean, depth = 0): fc.Arbitrary<unknown> {
  if (fault) return hostileValue(type, field, pools, depth);
  const nullable = getNullableType(type);
  if (isListType(nullable))
    return fc.array(plausibleValue(nullable.ofType, field, pools, false, depth + 1), { minLength: 1, maxLength: 3 });
  if (isInputObjectType(nullable)) {
    const fields = Object.values(nullable.getFields());
    return fc.constantFrom<string | null>(null, ...(depth < 2 ? fields.map((f) => f.name) : [])).chain((faulty) => {
      const model: Record<string, fc.Arbitrary<unknown>> = {};
      for (const f of fields) {
        const value = plausibleValue(f.type, f.name, pools, f.name === faulty, depth + 1);
        model[f.name] = f.name === faulty || isNonNullType(f.type) ? value : fc.oneof(value, fc.constant(MISSING));
      }
      return fc.record(model).map(withoutMissing);
    });
  }
  if (isEnumType(nullable)) return fc.constantFrom(...nullable.getValues().map((v) => v.name));
  if (isScalarType(nullable)) {
    switch (nullable.name) {
      case 'ID': {
        const pool = pools[field] ?? pools['*'] ?? [];
        return pool.length > 0 ? fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...pool) }, { weight: 1, arbitrary: validId }) : validId;
      }
      case 'String':
        return plausibleText;
      case 'Int':
        return fc.integer({ min: 1, max: 5 });
      case 'Float':
        return fc.double({ min: 0, max: 100, noNaN: true });
      case 'Boolean':
        return fc.boolean();
      case 'DateTime':
        return fc.integer({ min: 1, max: 365 }).map((days) => new Date(Date.now() + days * 86_400_000).toISOString());
      case 'JSON':
        return fc.jsonValue({ maxDepth: 2 });
      default:
        return plausibleText;
    }
  }
  return fc.constant(null);
}

function withoutMissing(value: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== MISSING));
}

/**
 * Variables for every argument of an operation. Three times in four, well-formed but for at most one field ("single
 * fault", which reaches the rules and the appends); otherwise anything ("chaos": missing, wrong, oversized at once).
 */
export function hostileVariables(args: readonly GraphQLArgument[], pools: IdPools): fc.Arbitrary<Record<string, unknown>> {
  const chaos: Record<string, fc.Arbitrary<unknown>> = {};
  for (const arg of args) {
    const value = hostileValue(arg.type, arg.name, pools);
    chaos[arg.name] = isNonNullType(arg.type)
      ? fc.oneof({ weight: 19, arbitrary: value }, { weight: 1, arbitrary: fc.constant(MISSING) })
      : fc.oneof(value, fc.constant(MISSING));
  }
  const singleFault = fc
    .constantFrom<string | null>(null, ...args.map((arg) => arg.name), ...args.map((arg) => arg.name))
    .chain((faulty) => {
      const model: Record<string, fc.Arbitrary<unknown>> = {};
      for (const arg of args) {
        // The fault of a lone `input` argument goes inside it, into one of its fields.
        const inner = args.length === 1 && faulty !== null;
        const value = plausibleValue(arg.type, arg.name, pools, faulty === arg.name && !inner);
        const nested = inner ? plausibleFaultInside(arg.type, arg.name, pools) : value;
        model[arg.name] = isNonNullType(arg.type) || faulty === arg.name ? nested : fc.oneof(nested, fc.constant(MISSING));
      }
      return fc.record(model).map(withoutMissing);
    });
  return fc.oneof({ weight: 3, arbitrary: singleFault }, { weight: 1, arbitrary: fc.record(chaos).map(withoutMissing) });
}

/** A plausible input object with its fault in one of its own fields (or a plausible scalar with a fault of its own). */
function plausibleFaultInside(type: GraphQLInputType, field: string, pools: IdPools): fc.Arbitrary<unknown> {
  const nullable = getNullableType(type);
  if (!isInputObjectType(nullable)) return plausibleValue(type, field, pools, true);
  const fields = Object.values(nullable.getFields());
  return fc.constantFrom(...fields.map((f) => f.name)).chain((faulty) => {
    const model: Record<string, fc.Arbitrary<unknown>> = {};
    for (const f of fields) {
      const value = plausibleValue(f.type, f.name, pools, f.name === faulty);
      model[f.name] = f.name === faulty || isNonNullType(f.type) ? value : fc.oneof(value, fc.constant(MISSING));
    }
    return fc.record(model).map(withoutMissing);
  });
}
