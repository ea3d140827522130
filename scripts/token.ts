// npm run token -- --sub m-1 --role COMMUNITY_MANAGER [--role AUDITOR] [--expires 12h]
// Prints a development token signed with AUTH_JWT_SECRET, or with the secret `npm start` generated under DATA_DIR.
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { developmentSecret } from '../src/platform/auth/development-secret.ts';
import { signDevelopmentToken } from '../src/platform/auth/development-token.ts';
import { ROLES, isRole } from '../src/platform/auth/role.ts';

const { values } = parseArgs({
  options: { sub: { type: 'string' }, role: { type: 'string', multiple: true, default: [] }, expires: { type: 'string', default: '12h' } },
});
const fail = (message: string): never => {
  console.error(message);
  process.exit(2);
};
if (!values.sub) fail('usage: npm run token -- --sub <member id> --role <ROLE> [--role <ROLE>] [--expires 12h]');
const roles = values.role.map((r) => (isRole(r) ? r : fail(`unknown role "${r}": one of ${ROLES.join(', ')}`)));
const secret = process.env.AUTH_JWT_SECRET ?? (await developmentSecret(resolve(process.env.DATA_DIR ?? '.data'), true));
if (!secret) fail('no secret: set AUTH_JWT_SECRET');
console.log(await signDevelopmentToken(secret!, values.sub!, roles, values.expires));
