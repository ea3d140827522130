/**
 * A CSV reader for RFC 4180 text (https://www.rfc-editor.org/rfc/rfc4180): fields separated by commas, records by
 * CRLF (a bare LF or CR too: spreadsheets and Unix tools write those), fields in double quotes may hold commas, line
 * breaks and doubled quotes (""). A leading byte order mark (Excel and Microsoft 365 exports write one) is dropped.
 * Written here rather than taken from a library: the format is small, and the import must report each problem by
 * line, which this does without a dependency.
 */

/** One record and the line of the text it starts on (1-based), which is what a row error names. */
export interface CsvRecord {
  readonly line: number;
  readonly fields: string[];
}

/** The text is not CSV at all (an unclosed quote, text after a closing quote): nothing of it can be read reliably. */
export class CsvSyntaxError extends Error {
  override readonly name = 'CsvSyntaxError';
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(message);
  }
}

const BOM = '\uFEFF';

/** Every record of `text`, blank lines left out (a trailing line break, an empty line between records). */
export function parseCsv(text: string): CsvRecord[] {
  const input = text.startsWith(BOM) ? text.slice(1) : text;
  const records: CsvRecord[] = [];
  let fields: string[] = [];
  let field = '';
  let line = 1;
  let recordLine = 1;
  /** Whether the current field was quoted: a quoted empty field still makes a record, a blank line does not. */
  let quoted = false;
  let i = 0;

  const endRecord = () => {
    fields.push(field);
    if (!(fields.length === 1 && fields[0] === '' && !quoted)) records.push({ line: recordLine, fields });
    fields = [];
    field = '';
    quoted = false;
  };

  while (i < input.length) {
    const char = input[i]!;
    if (char === '"' && field === '' && !quoted) {
      // A quoted field: up to the quote that is not doubled.
      quoted = true;
      const openedOn = line;
      i++;
      for (;;) {
        if (i >= input.length) throw new CsvSyntaxError(openedOn, `line ${openedOn}: a quoted field is never closed`);
        const inner = input[i]!;
        if (inner === '"') {
          if (input[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        if (inner === '\r' && input[i + 1] === '\n') {
          field += '\r\n';
          i += 2;
          line++;
          continue;
        }
        if (inner === '\n' || inner === '\r') line++;
        field += inner;
        i++;
      }
      const next = input[i];
      if (next !== undefined && next !== ',' && next !== '\n' && next !== '\r') {
        throw new CsvSyntaxError(line, `line ${line}: text after the closing quote of a field (a quote inside a field is written "")`);
      }
      continue;
    }
    if (char === '"') {
      throw new CsvSyntaxError(line, `line ${line}: a quote inside an unquoted field (quote the field and write the quote as "")`);
    }
    if (char === ',') {
      fields.push(field);
      field = '';
      quoted = false;
      i++;
      continue;
    }
    if (char === '\r' || char === '\n') {
      endRecord();
      i += char === '\r' && input[i + 1] === '\n' ? 2 : 1;
      line++;
      recordLine = line;
      continue;
    }
    field += char;
    i++;
  }
  if (field !== '' || fields.length > 0 || quoted) endRecord();
  return records;
}
