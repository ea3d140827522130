/**
 * npm run -s import-activity -- <file.csv> [--format viva-engage|generic] [--url <graphql url>] [--token <token>]
 *                                          [--command-id <id>]
 *
 * Sends a platform's usage report to the running service's `importGroupActivity`, the console's path: who may import
 * (community managers), validation and idempotency stay the service's. The token comes from --token or
 * GOVERNANCE_TOKEN (in development: `npm run -s token -- --sub <id> --role COMMUNITY_MANAGER`) and is never printed.
 * Without --command-id the command id is a digest of the file's bytes and format: the same file again is a retry of
 * the same import, which the service answers the same without appending anything.
 *
 * stdout: the ActivityImportResult as one JSON object; stderr: what a person reads. Exit 0 when imported, 1 when rows
 * were rejected or the service answered with an error, 2 for bad usage (missing or unreadable file, bad option).
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';

const USAGE =
  'usage: npm run -s import-activity -- <file.csv> [--format viva-engage|generic] [--url <graphql url>] [--token <token>] [--command-id <id>]\n' +
  '  token: --token or GOVERNANCE_TOKEN (development: npm run -s token -- --sub <id> --role COMMUNITY_MANAGER)';
const FORMATS = { 'viva-engage': 'VIVA_ENGAGE_GROUPS_ACTIVITY', generic: 'GENERIC' } as const;
type FormatOption = keyof typeof FORMATS;
/** Only Viva Engage's report has this column; every other platform's export goes through the generic layout. */
const VIVA_ENGAGE_HEADER_MARK = 'Report Refresh Date';
const IMPORT = `mutation ImportGroupActivity($input: ImportGroupActivityInput!) {
  importGroupActivity(input: $input) { periodStart periodEnd rowsImported rowsUnmatched rowsRejected { row message } } }`;

interface ActivityImportResult {
  periodStart: string | null;
  periodEnd: string | null;
  rowsImported: number;
  rowsUnmatched: string[];
  rowsRejected: { row: number; message: string }[];
}
interface GraphQLAnswer {
  data?: { importGroupActivity?: ActivityImportResult | null } | null;
  errors?: { message?: string; extensions?: { code?: string } }[];
}

const say = (line: string) => process.stderr.write(`import-activity: ${line}\n`);
function usageError(message: string): never {
  say(message);
  process.stderr.write(`${USAGE}\n`);
  process.exit(2);
}

function parseOptions() {
  try {
    return parseArgs({
      allowPositionals: true,
      options: {
        format: { type: 'string' },
        url: { type: 'string' },
        token: { type: 'string' },
        'command-id': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    return usageError((error as Error).message);
  }
}

function isFormatOption(value: string): value is FormatOption {
  return Object.hasOwn(FORMATS, value);
}

function detectFormat(csv: string): FormatOption {
  const header = csv.replace(/^\uFEFF/, '').split(/\r?\n/, 1)[0] ?? '';
  return header.includes(VIVA_ENGAGE_HEADER_MARK) ? 'viva-engage' : 'generic';
}

/** The same bytes imported as the same format are the same command; any other file or format is a new one. */
function fileCommandId(bytes: Buffer, format: FormatOption): string {
  const digest = createHash('sha256').update(`${format}\n`).update(bytes).digest('hex');
  return `import-activity:${digest}`;
}

const { values, positionals } = parseOptions();
if (values.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
if (positionals.length !== 1) usageError(positionals.length === 0 ? 'no CSV file given' : `one CSV file, not ${positionals.length}`);
const file = positionals[0]!;
if (values.format !== undefined && !isFormatOption(values.format)) {
  usageError(`--format must be viva-engage or generic, not "${values.format}"`);
}
const url = values.url ?? `http://127.0.0.1:${process.env.PORT || '3000'}/graphql`;
if (!URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol)) usageError(`--url must be an http(s) URL, not "${url}"`);
const token = values.token ?? process.env.GOVERNANCE_TOKEN;
if (!token) usageError('no token: pass --token or set GOVERNANCE_TOKEN');

let bytes: Buffer;
try {
  bytes = await readFile(file);
} catch (error) {
  usageError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
}
let csv: string;
try {
  // Kept byte for byte (a BOM included): the service reads the report, not a re-encoded copy of it.
  csv = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
} catch {
  usageError(`${file} is not UTF-8 text`);
}
const format: FormatOption = (values.format as FormatOption | undefined) ?? detectFormat(csv);
say(
  values.format
    ? `format ${format} (--format)`
    : `format ${format} (detected: the header ${format === 'viva-engage' ? 'has' : 'lacks'} "${VIVA_ENGAGE_HEADER_MARK}")`,
);
const commandId = values['command-id'] ?? fileCommandId(bytes, format);

let status: number;
let answer: GraphQLAnswer | undefined;
try {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: IMPORT, variables: { input: { csv, format: FORMATS[format], commandId } } }),
  });
  status = response.status;
  answer = (await response.json().catch(() => undefined)) as GraphQLAnswer | undefined;
} catch (error) {
  const cause = (error as Error & { cause?: { code?: string; message?: string } }).cause;
  say(`could not reach ${url}: ${cause?.code ?? cause?.message ?? (error as Error).message}`);
  process.exit(1);
}

if (answer?.errors?.length) {
  for (const error of answer.errors) say(`${error.extensions?.code ?? 'ERROR'}: ${error.message ?? '(no message)'}`);
  process.exit(1);
}
const result = answer?.data?.importGroupActivity;
if (!result) {
  say(`the service answered HTTP ${status} without a result`);
  process.exit(1);
}
process.stdout.write(`${JSON.stringify(result)}\n`);
if (result.rowsUnmatched.length > 0) say(`no group here for: ${result.rowsUnmatched.join(', ')}`);
if (result.rowsRejected.length > 0) {
  for (const { row, message } of result.rowsRejected) say(`line ${row}: ${message}`);
  say(`${result.rowsRejected.length} row(s) rejected: nothing of ${file} was imported`);
  process.exit(1);
}
say(`imported ${result.rowsImported} row(s) (command id ${commandId})`);
