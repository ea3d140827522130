// GraphQL Code Generator with the client preset over the admin console's documents and the committed schema.gql, as
// `npm run codegen` runs it: no network, no service. test/e2e/admin.e2e.spec.ts validates the same documents against
// the schema the running service serves; this proves codegen accepts them against the committed file, and that the
// console's generated types (admin/src/api/generated/graphql.ts) are the ones that schema and those documents give.
import { readFile } from 'node:fs/promises';
import { parse } from 'graphql';
import { consoleDocuments, GENERATED_PATH, generateConsoleTypes } from '../../scripts/console-codegen.ts';

const CODEGEN_MS = 60_000;

describe('codegen of the admin console against schema.gql', () => {
  let generated: string;

  beforeAll(async () => {
    generated = await generateConsoleTypes();
  }, CODEGEN_MS);

  test('every console operation gets a result type and a variables type', () => {
    const operations = consoleDocuments().flatMap((document) =>
      parse(document).definitions.flatMap((definition) =>
        definition.kind === 'OperationDefinition'
          ? [`${definition.name!.value}${definition.operation === 'query' ? 'Query' : 'Mutation'}`]
          : [],
      ),
    );
    expect(operations.length).toBeGreaterThan(30);
    const missing = operations.filter(
      (type) => !generated.includes(`export type ${type} = `) || !generated.includes(`export type ${type}Variables = `),
    );
    expect(missing).toEqual([]);
  });

  test(
    'a document the schema does not allow fails generation, naming what is wrong',
    async () => {
      const broken = `query BrokenGroup($id: ID!) { group(id: $id) { id nameOfTheGroup } }`;
      await expect(generateConsoleTypes([...consoleDocuments(), broken])).rejects.toThrow(/nameOfTheGroup/);
      const wrongArgument = `query WrongArgument { member(memberId: "m-1") { id } }`;
      await expect(generateConsoleTypes([wrongArgument])).rejects.toThrow(/memberId/);
    },
    CODEGEN_MS,
  );

  test('the committed generated types are up to date (run `npm run codegen` after changing schema.gql or a document)', async () => {
    expect(await readFile(GENERATED_PATH, 'utf8')).toBe(generated);
  });
});
