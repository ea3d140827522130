import { NestFactory } from '@nestjs/core';
import { Args, Field, GraphQLSchemaBuilderModule, GraphQLSchemaFactory, ObjectType, Query, Resolver } from '@nestjs/graphql';
import { GraphQLEnumType, type GraphQLSchema } from 'graphql';
import { graphqlEnum } from './graphql-enum.ts';

// What a decider exports: the values, once.
const TIDE_STATES = ['RISING', 'HIGH', 'FALLING', 'LOW'] as const;
type TideState = (typeof TIDE_STATES)[number];

const Tide = graphqlEnum('Tide', TIDE_STATES, {
  description: 'Where the sea stands.',
  valueDescriptions: { HIGH: 'As far up the beach as it comes today.' },
});
type Tide = TideState;
const Plain = graphqlEnum('Plain', ['ONE', 'TWO']);

@ObjectType()
class Shore {
  @Field(() => Tide)
  tide!: Tide;

  @Field(() => Plain)
  plain!: Plain;
}
type Plain = 'ONE' | 'TWO';

@Resolver(() => Shore)
class ShoreResolver {
  @Query(() => Shore)
  shore(@Args('tide', { type: () => Tide }) tide: Tide): Shore {
    return { tide, plain: Plain.ONE };
  }
}

/** The schema Nest builds from the classes above, as the service builds its own. */
async function buildSchema(): Promise<GraphQLSchema> {
  const app = await NestFactory.createApplicationContext(GraphQLSchemaBuilderModule, { logger: false });
  try {
    return await app.get(GraphQLSchemaFactory).create([ShoreResolver]);
  } finally {
    await app.close();
  }
}

describe('graphqlEnum', () => {
  test('each value stands for itself, and the object cannot be changed', () => {
    expect(Tide).toEqual({ RISING: 'RISING', HIGH: 'HIGH', FALLING: 'FALLING', LOW: 'LOW' });
    expect(Tide.HIGH).toBe('HIGH');
    expect(Object.isFrozen(Tide)).toBe(true);
  });

  test('the schema has the enum with exactly the given values, in order, and the descriptions given', async () => {
    const tide = (await buildSchema()).getType('Tide');
    expect(tide).toBeInstanceOf(GraphQLEnumType);
    const values = (tide as GraphQLEnumType).getValues();
    expect(values.map((value) => value.name)).toEqual([...TIDE_STATES]);
    expect(values.map((value) => value.value)).toEqual([...TIDE_STATES]);
    expect(tide!.description).toBe('Where the sea stands.');
    expect(Object.fromEntries(values.map((value) => [value.name, value.description]))).toEqual({
      RISING: undefined,
      HIGH: 'As far up the beach as it comes today.',
      FALLING: undefined,
      LOW: undefined,
    });
  });

  test('without options, no description at all', async () => {
    const plain = (await buildSchema()).getType('Plain') as GraphQLEnumType;
    expect(plain.description).toBeUndefined();
    expect(plain.getValues().map((value) => [value.name, value.description])).toEqual([
      ['ONE', undefined],
      ['TWO', undefined],
    ]);
  });

  test.each<[string, readonly string[], string]>([
    ['no values', [], 'GraphQL enum Broken has no values'],
    ['a value GraphQL cannot name', ['OK', 'NOT-OK', '2ND'], 'GraphQL enum Broken has values GraphQL cannot name: NOT-OK, 2ND'],
    ['a reserved word', ['true', 'OK'], 'GraphQL enum Broken has values GraphQL cannot name: true'],
    ['a value twice', ['A', 'B', 'A'], 'GraphQL enum Broken repeats A'],
  ])('refuses %s', (_, values, message) => {
    expect(() => graphqlEnum('Broken', values)).toThrow(new Error(message));
  });

  test('refuses to describe a value it does not have', () => {
    expect(() => graphqlEnum('Broken', ['A'], { valueDescriptions: { B: 'gone' } as never })).toThrow(
      new Error('GraphQL enum Broken describes values it does not have: B'),
    );
  });
});
