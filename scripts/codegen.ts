// `npm run codegen`: regenerates admin/src/api/generated/graphql.ts (run it after changing schema.gql or a console
// document; test/codegen/console-codegen.unit.spec.ts fails while the committed file is out of date).
import { writeFile } from 'node:fs/promises';
import { GENERATED_PATH, generateConsoleTypes } from './console-codegen.ts';

await writeFile(GENERATED_PATH, await generateConsoleTypes());
console.log(`wrote ${GENERATED_PATH}`);
