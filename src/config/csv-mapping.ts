import { z } from 'zod';

/**
 * `csv_formats:` in finops.yaml: how to read a CSV that no built-in parser knows (an internal billing export, a
 * gateway's spreadsheet). Each entry names the columns; `createMappedCsvParser` (src/parsers/mapped-csv.ts) turns
 * it into a parser with the id `csv:<id>`. Errors name the key path (`csv_formats.0.tokens.input: …`).
 */

const column = z.string({ error: 'expected a column name' }).min(1, 'expected a column name');

/** A column, or a constant for every row: `provider: vendor` or `provider: { value: openai }`. */
const columnOrValue = (what: string) =>
  z.union([column, z.strictObject({ value: z.string().min(1, `expected a ${what}`) })], {
    error: `expected a column name or { value: <${what}> }`,
  });

/** Timestamp layouts; `iso` also reads `YYYY-MM-DD` and `YYYY-MM-DD HH:MM[:SS]` (no zone = UTC). */
export const TIMESTAMP_FORMATS = [
  'iso',
  'epoch_s',
  'epoch_ms',
  'MM/DD/YYYY',
  'DD/MM/YYYY',
  'DD.MM.YYYY',
  'YYYY/MM/DD',
] as const;

const NumberFormatSchema = z
  .strictObject({
    decimal: z.enum(['.', ',']).default('.'),
    /** '' = no grouping allowed; ' ' also accepts the no-break spaces spreadsheets write. */
    thousands: z.enum([',', '.', ' ', "'", '']).default(''),
  })
  .refine((f) => f.decimal !== f.thousands, {
    message: 'the decimal and thousands separators must differ',
    path: ['thousands'],
  });

export const CsvMappingSchema = z
  .strictObject({
    /** Kebab-case; the parser's id is `csv:<id>` (use it with --input-format). */
    id: z
      .string({ error: 'expected an id' })
      .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'expected a kebab-case id (a-z, 0-9 and -, e.g. "acme-gateway")'),
    /** The file is this format when its header has all these columns (case-insensitive). */
    detect: z.strictObject({
      columns: z
        .array(column, { error: 'expected a list of column names' })
        .min(1, 'name at least one column'),
    }),
    timestamp: column,
    timestamp_format: z.enum(TIMESTAMP_FORMATS).default('iso'),
    provider: columnOrValue('provider'),
    model: columnOrValue('model'),
    tokens: z
      .strictObject({
        input: column,
        output: column,
        cache_read: column.optional(),
        cache_write: column.optional(),
        /** The 1-hour part of cache_write (Anthropic), when the source states it. */
        cache_write_1h: column.optional(),
        /** The part of output spent reasoning (never added to output). */
        reasoning: column.optional(),
      })
      .refine((t) => t.cache_write_1h === undefined || t.cache_write !== undefined, {
        message: 'cache_write_1h is a part of cache_write: map cache_write too',
        path: ['cache_write_1h'],
      }),
    /** True when `input` counts cache reads and writes too (OpenAI's convention): they are subtracted from it. */
    input_includes_cached: z.boolean().default(false),
    /** Requests per row; without it every row is one request. */
    requests: column.optional(),
    /** A stated cost (reportedCost), in `currency` units. */
    cost: column.optional(),
    currency: columnOrValue('currency code').optional(),
    /** A provider request id: records with the same id (in any format) are counted once. */
    request_id: column.optional(),
    dims: z
      .strictObject({
        app: column.optional(),
        team: column.optional(),
        workflow: column.optional(),
        project: column.optional(),
        apiKey: column.optional(),
        user: column.optional(),
        environment: column.optional(),
      })
      .default({}),
    /** Columns kept as tags (name = column name), for attribution rules. */
    tags: z.array(column, { error: 'expected a list of column names' }).default([]),
    /** `tab` (or `\t`) for tab-separated files. */
    delimiter: z
      .enum([',', ';', '\t', '|', 'tab', '\\t'])
      .default(',')
      .transform((d) => (d === 'tab' || d === '\\t' ? '\t' : d)),
    number_format: NumberFormatSchema.default({ decimal: '.', thousands: '' }),
  })
  .refine(
    (m) =>
      !m.input_includes_cached || m.tokens.cache_read !== undefined || m.tokens.cache_write !== undefined,
    {
      message: 'input_includes_cached needs tokens.cache_read or tokens.cache_write to subtract',
      path: ['input_includes_cached'],
    },
  )
  .refine((m) => m.cost !== undefined || m.currency === undefined, {
    message: 'currency is the unit of cost: map cost too',
    path: ['currency'],
  });

/** One `csv_formats` entry, defaults applied. */
export type CsvMapping = z.output<typeof CsvMappingSchema>;

/** The whole `csv_formats:` list; ids must be unique (each becomes the parser id `csv:<id>`). */
export const CsvFormatsSchema = z.array(CsvMappingSchema).superRefine((list, ctx) => {
  const seen = new Map<string, number>();
  list.forEach((m, i) => {
    const first = seen.get(m.id);
    if (first !== undefined) {
      ctx.addIssue({
        code: 'custom',
        message: `duplicate id "${m.id}" (also entry ${first})`,
        path: [i, 'id'],
      });
    } else seen.set(m.id, i);
  });
});
