/**
 * npm run -s verify-export -- <export.ndjson> --public-key <jwk-file>
 *
 * Checks an export of the governance log (GET /audit/export) offline: no service, no database, Node's own crypto.
 * Prints a one-line verdict, then every break; exits 0 when the export verifies, 1 when it does not, 2 on bad usage.
 * The JWK file holds the seal public key(s): one JWK, an array, a JWK set, or what the sealKeys query answers.
 */
import { describeVerdict, readPublicKeys, verifyExportFile } from '../src/modules/integrity/verify-export.ts';

const args = process.argv.slice(2);
const keyFlag = args.indexOf('--public-key');
const keyFile = keyFlag >= 0 ? args[keyFlag + 1] : undefined;
const file = args.find((arg, index) => !arg.startsWith('--') && index !== keyFlag + 1);
if (!file || !keyFile) {
  process.stderr.write('usage: npm run -s verify-export -- <export.ndjson> --public-key <jwk-file>\n');
  process.exit(2);
}
try {
  const verdict = await verifyExportFile(file, await readPublicKeys(keyFile));
  process.stdout.write(`${describeVerdict(verdict).join('\n')}\n`);
  process.exit(verdict.ok ? 0 : 1);
} catch (error) {
  process.stderr.write(`verify-export: ${(error as Error).message}\n`);
  process.exit(2);
}
