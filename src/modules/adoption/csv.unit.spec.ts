import { CsvSyntaxError, parseCsv } from './csv.ts';

const fields = (text: string) => parseCsv(text).map((record) => record.fields);

describe('parseCsv (RFC 4180)', () => {
  test('given plain fields, splits on commas and line breaks, with the line each record starts on', () => {
    expect(parseCsv('a,b,c\n1,2,3\n')).toEqual([
      { line: 1, fields: ['a', 'b', 'c'] },
      { line: 2, fields: ['1', '2', '3'] },
    ]);
  });

  test('given CRLF (as Microsoft 365 exports), CR alone or no final line break, reads the same records', () => {
    const expected = [
      ['a', 'b'],
      ['1', '2'],
    ];
    expect(fields('a,b\r\n1,2\r\n')).toEqual(expected);
    expect(fields('a,b\r1,2')).toEqual(expected);
    expect(fields('a,b\n1,2')).toEqual(expected);
  });

  test('given a byte order mark, drops it: the first header is not "\\uFEFFa"', () => {
    expect(fields('\uFEFFa,b\r\n1,2\r\n')).toEqual([
      ['a', 'b'],
      ['1', '2'],
    ]);
  });

  test('given quoted fields, keeps commas, doubled quotes and line breaks inside them', () => {
    const records = parseCsv('name,count\r\n"Engineering, Platform",1\r\n"Koffie & ""Gebak""",2\r\n"two\r\nlines",3\r\nlast,4\r\n');
    expect(records.map((record) => record.fields)).toEqual([
      ['name', 'count'],
      ['Engineering, Platform', '1'],
      ['Koffie & "Gebak"', '2'],
      ['two\r\nlines', '3'],
      ['last', '4'],
    ]);
    // A record after a quoted line break starts on the line it is really on.
    expect(records.map((record) => record.line)).toEqual([1, 2, 3, 4, 6]);
  });

  test('given empty fields and blank lines, keeps the empty fields and skips the blank lines', () => {
    expect(parseCsv('a,,c\n\n,,\n""\n')).toEqual([
      { line: 1, fields: ['a', '', 'c'] },
      { line: 3, fields: ['', '', ''] },
      { line: 4, fields: [''] },
    ]);
  });

  test.each([
    ['an unclosed quote', 'a,b\n"never closed,1\n', 2, /never closed/],
    ['text after a closing quote', 'a,b\n"x"y,1\n', 2, /after the closing quote/],
    ['a quote inside an unquoted field', 'a,b\nx"y,1\n', 2, /quote inside an unquoted field/],
  ])('refuses %s, naming the line', (_, text, line, message) => {
    let thrown: unknown;
    try {
      parseCsv(text);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(CsvSyntaxError);
    expect((thrown as CsvSyntaxError).line).toBe(line);
    expect((thrown as CsvSyntaxError).message).toMatch(message);
  });
});
