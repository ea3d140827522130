import { registerEnumType } from '@nestjs/graphql';

/**
 * A GraphQL enum made from a decider's `as const` array, so that the values are written once (in the decider) and the
 * schema cannot drift from them. The object maps each value to itself (`CaseStatus.OPEN === 'OPEN'`), which is what
 * `registerEnumType` reads; pair it with a type of the same name for `@Field(() => X) x!: X`:
 *
 *     export const ModerationCaseStatus = graphqlEnum('ModerationCaseStatus', CASE_STATUSES);
 *     export type ModerationCaseStatus = CaseStatus;
 */
export type GraphqlEnum<Value extends string> = { readonly [Name in Value]: Name };

export interface GraphqlEnumOptions<Value extends string> {
  readonly description?: string;
  readonly valueDescriptions?: Partial<Readonly<Record<Value, string>>>;
}

/** What GraphQL accepts as an enum value name (true, false and null are names, but not enum values). */
const ENUM_VALUE = /^[_A-Za-z][_0-9A-Za-z]*$/;
const NOT_ENUM_VALUES = new Set(['true', 'false', 'null']);

export function graphqlEnum<const Value extends string>(
  name: string,
  values: readonly Value[],
  options: GraphqlEnumOptions<Value> = {},
): GraphqlEnum<Value> {
  // Refused here rather than by the schema build, which would drop or rename them silently or fail far from the cause.
  if (values.length === 0) throw new Error(`GraphQL enum ${name} has no values`);
  const invalid = values.filter((value) => !ENUM_VALUE.test(value) || NOT_ENUM_VALUES.has(value));
  if (invalid.length > 0) throw new Error(`GraphQL enum ${name} has values GraphQL cannot name: ${invalid.join(', ')}`);
  const repeated = values.filter((value, index) => values.indexOf(value) !== index);
  if (repeated.length > 0) throw new Error(`GraphQL enum ${name} repeats ${repeated.join(', ')}`);
  const described = Object.keys(options.valueDescriptions ?? {}).filter((value) => !(values as readonly string[]).includes(value));
  if (described.length > 0) throw new Error(`GraphQL enum ${name} describes values it does not have: ${described.join(', ')}`);

  const enumObject = Object.freeze(Object.fromEntries(values.map((value) => [value, value]))) as GraphqlEnum<Value>;
  const valueDescriptions = Object.entries<string | undefined>(options.valueDescriptions ?? {});
  const valuesMap = Object.fromEntries(valueDescriptions.map(([value, description]) => [value, { description }])) as Partial<
    Record<Value, { description?: string }>
  >;
  registerEnumType(enumObject, { name, description: options.description, valuesMap });
  return enumObject;
}
