import { Readable, Transform } from 'node:stream';
import { parse as parseCsv } from 'csv-parse';
import ExcelJS from 'exceljs';
import { CrmError } from './errors.ts';

export type ImportFormat = 'csv' | 'xlsx';

/** One data record; `row` is 1-based with the header as row 1 (see RowError). */
export interface SourceRow {
  row: number;
  cells: Record<string, string>;
}

/** Fails the stream once more than `maxBytes` have passed, so a huge upload is never buffered whole. */
function sizeGuard(maxBytes: number): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      seen += chunk.length;
      if (seen > maxBytes) {
        done(new CrmError('CRM_IMPORT_TOO_LARGE', `Import exceeds ${maxBytes} bytes`, { status: 413 }));
      } else done(null, chunk);
    },
  });
}

function toStream(source: Readable | Uint8Array): Readable {
  return source instanceof Uint8Array ? Readable.from([Buffer.from(source)]) : source;
}

async function* csvRows(input: Readable): AsyncGenerator<SourceRow> {
  const parser = input.pipe(
    parseCsv({
      columns: (header: string[]) => header.map((h) => h.trim()),
      bom: true,
      trim: true,
      skip_empty_lines: true,
      relax_column_count: true,
      info: true,
    }),
  );
  input.on('error', (err) => parser.destroy(err));
  try {
    for await (const { record, info } of parser as AsyncIterable<{
      record: Record<string, string>;
      info: { lines: number };
    }>) {
      // info.lines is the line the record ends on: its own line unless a quoted field spans lines.
      yield { row: info.lines, cells: record };
    }
  } catch (err) {
    if (err instanceof CrmError) throw err;
    throw new CrmError('CRM_IMPORT_FORMAT', `Unreadable CSV: ${(err as Error).message}`, { status: 400 });
  }
}

function cellText(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (v instanceof Date) {
    const iso = v.toISOString();
    return iso.endsWith('T00:00:00.000Z') ? iso.slice(0, 10) : iso;
  }
  if (typeof v === 'object') {
    const o = v as { text?: unknown; result?: unknown; richText?: Array<{ text: string }> };
    if (o.richText) return o.richText.map((r) => r.text).join('');
    if (o.result !== undefined) return cellText(o.result);
    if (o.text !== undefined) return cellText(o.text);
    return '';
  }
  return String(v).trim();
}

async function* xlsxRows(input: Readable): AsyncGenerator<SourceRow> {
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(input, {
    sharedStrings: 'cache',
    hyperlinks: 'ignore',
    styles: 'cache',
    worksheets: 'emit',
  });
  let header: string[] | undefined;
  try {
    for await (const sheet of reader) {
      for await (const row of sheet) {
        const values = (row.values as unknown[]).slice(1).map(cellText);
        if (!header) {
          header = values;
          continue;
        }
        if (values.every((v) => v === '')) continue;
        const cells: Record<string, string> = {};
        header.forEach((h, i) => {
          if (h) cells[h] = values[i] ?? '';
        });
        yield { row: row.number, cells };
      }
      break; // only the first worksheet is imported
    }
  } catch (err) {
    if (err instanceof CrmError) throw err;
    throw new CrmError('CRM_IMPORT_FORMAT', `Unreadable XLSX: ${(err as Error).message}`, { status: 400 });
  }
}

/** Streams the records of a CSV or XLSX file (first sheet; first row is the header). */
export function readRows(
  source: Readable | Uint8Array,
  options: { format: ImportFormat; maxBytes: number },
): AsyncGenerator<SourceRow> {
  const src = toStream(source);
  const guarded = src.pipe(sizeGuard(options.maxBytes));
  src.on('error', (err) => guarded.destroy(err));
  return options.format === 'csv' ? csvRows(guarded) : xlsxRows(guarded);
}
