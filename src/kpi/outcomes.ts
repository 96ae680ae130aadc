import { InputError } from '../core/errors.ts';
import { formatProblem, type ParseProblem } from '../core/record.ts';
import type { ZonedCalendar } from '../core/time.ts';
import { openInput } from '../io/input.ts';
import { parseCsvRows, type CsvRow } from '../parsers/csv-rows.ts';
import { RowError } from '../parsers/util.ts';
import { MAX_KEPT_PROBLEMS } from '../pipeline/read.ts';

/**
 * The outcomes file (`--outcomes FILE.csv`): what the business counted, per day and scope, that the usage logs
 * do not know: tickets resolved, documents processed, recommendations served, revenue, human minutes saved.
 *
 *   date,app,team,workflow,metric,value
 *   2026-10-01,ticket-summary,support,summarize,documents_processed,1523
 *
 * `date`, `metric` and `value` are required; the scope columns are optional and name the usage the figure
 * belongs to. Streamed row by row: memory does not grow with the file.
 */

/** Columns a row may carry to say which usage it belongs to (header names, case-insensitive). */
export const OUTCOME_SCOPE_COLUMNS = [
  'app',
  'team',
  'workflow',
  'project',
  'environment',
  'user',
  'apiKey',
  'provider',
  'model',
] as const;
export type OutcomeScopeKey = (typeof OUTCOME_SCOPE_COLUMNS)[number];

/** Required header columns. */
export const OUTCOME_REQUIRED_COLUMNS = ['date', 'metric', 'value'] as const;

/** One accepted row. */
export interface OutcomeRow {
  /** Local date (`YYYY-MM-DD`) in the report's zone. */
  day: string;
  /** Metric name, lower-cased. */
  metric: string;
  value: number;
  scope: Partial<Record<OutcomeScopeKey, string>>;
  file: string;
  line: number;
}

/** What reading the outcomes files gave: counts, the first problems, and the metrics seen. */
export interface OutcomesStats {
  files: string[];
  /** Rows accepted and inside the period. */
  rows: number;
  /** Rows reported as problems and skipped. */
  skipped: number;
  /** Well-formed rows dated outside --from/--to. */
  outside: number;
  /** The first problems (at most MAX_KEPT_PROBLEMS), in reading order; all are counted in `skipped`. */
  problems: ParseProblem[];
  /** Accepted rows per metric. */
  metrics: Map<string, number>;
}

export interface ReadOutcomesOptions {
  cal: ZonedCalendar;
  /** Period bounds as ISO instants (from inclusive, to exclusive), as scanUsage computes them. */
  from?: string;
  to?: string;
  /** Turn the first bad row into an InputError (exit 2). */
  strict?: boolean;
}

const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/i;
const PLAIN_NUMBER = /^-?\d+(\.\d+)?([eE][+-]?\d+)?$/;

/** A calendar date `YYYY-MM-DD` that exists (not 2026-02-30), or undefined. */
function validDate(s: string): string | undefined {
  const m = DATE_ONLY.exec(s);
  if (!m) return undefined;
  const t = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  return new Date(t).toISOString().slice(0, 10) === s ? s : undefined;
}

/**
 * The local day and instant of a `date` cell: a date alone is a local day in the report's zone (as --from);
 * a timestamp is an instant (no zone = UTC, as the usage parsers read it) placed on its local day.
 */
function rowTime(value: string, cal: ZonedCalendar): { day: string; instant: string } {
  const day = validDate(value);
  if (day !== undefined) return { day, instant: cal.startOfDay(day) };
  if (TIMESTAMP.test(value)) {
    let iso = value.replace(' ', 'T');
    if (!/(Z|[+-]\d{2}:?\d{2})$/i.test(iso)) iso += 'Z';
    const ms = Date.parse(iso);
    if (Number.isFinite(ms)) {
      const instant = new Date(ms).toISOString();
      return { day: cal.date(instant), instant };
    }
  }
  throw new RowError(`date ${JSON.stringify(value)}: expected YYYY-MM-DD or an ISO timestamp`);
}

function rowValue(value: string | undefined): number {
  if (value === undefined) throw new RowError('no value');
  if (!PLAIN_NUMBER.test(value)) {
    throw new RowError(
      `value ${JSON.stringify(value)} is not a plain number (write 1234.5: no thousands separators, no units)`,
    );
  }
  const n = Number(value);
  if (!Number.isFinite(n)) throw new RowError(`value ${value} is out of range`);
  if (n < 0) throw new RowError(`value ${value} is negative (outcome counts and amounts are ≥ 0)`);
  return n;
}

/** Header cell names for a scope key (the camel-case `apiKey` also reads `api_key`). */
function columnNames(k: OutcomeScopeKey): string[] {
  return k === 'apiKey' ? ['apiKey', 'api_key'] : [k];
}

function cell(row: CsvRow, k: OutcomeScopeKey): string | undefined {
  for (const c of columnNames(k)) {
    const v = row.get(c);
    if (v !== undefined) return v;
  }
  return undefined;
}

/**
 * Streams outcomes files into `sink`, one accepted row at a time, in the zone of `opts.cal`. A bad row is a
 * problem (`file:line: reason`), counted and skipped, never dropped in silence; `strict` makes it exit 2.
 * A file without the required columns cannot be read as outcomes at all: InputError.
 */
export async function readOutcomes(
  paths: readonly string[],
  opts: ReadOutcomesOptions,
  sink: (row: OutcomeRow) => void,
): Promise<OutcomesStats> {
  const stats: OutcomesStats = {
    files: [],
    rows: 0,
    skipped: 0,
    outside: 0,
    problems: [],
    metrics: new Map(),
  };
  for (const path of paths) {
    const input = await openInput(path);
    const file = input.name;
    stats.files.push(file);
    if (input.head.trim().length === 0) throw new InputError(`${file}: the outcomes file is empty`);
    let headerProblem: string | undefined;
    let hasCurrency = false;
    const items = parseCsvRows(input, {
      header(columns) {
        const have = new Set(columns.map((c) => c.toLowerCase()));
        const missing = OUTCOME_REQUIRED_COLUMNS.filter((c) => !have.has(c));
        hasCurrency = have.has('currency');
        if (missing.length > 0) {
          headerProblem = `missing column(s) ${missing.join(', ')}`;
          throw new RowError(headerProblem);
        }
      },
      row(row, line) {
        const date = row.get('date');
        if (date === undefined) throw new RowError('no date');
        const time = rowTime(date, opts.cal);
        const metric = row.get('metric')?.toLowerCase();
        if (metric === undefined) throw new RowError('no metric');
        const value = rowValue(row.get('value'));
        if (hasCurrency) {
          const cur = row.get('currency');
          if (cur !== undefined && cur.toUpperCase() !== 'USD') {
            throw new RowError(`currency ${cur}: only USD amounts are supported`);
          }
        }
        if ((opts.from && time.instant < opts.from) || (opts.to && time.instant >= opts.to)) {
          stats.outside++;
          return;
        }
        const scope: OutcomeRow['scope'] = {};
        for (const k of OUTCOME_SCOPE_COLUMNS) {
          const v = cell(row, k);
          if (v !== undefined) scope[k] = v;
        }
        stats.rows++;
        stats.metrics.set(metric, (stats.metrics.get(metric) ?? 0) + 1);
        sink({ day: time.day, metric, value, scope, file, line });
      },
    });
    for await (const batch of items) {
      for (const item of batch) {
        if (item.kind !== 'problem') continue;
        const p = item.problem;
        if (headerProblem !== undefined) continue; // the file is refused below, as one InputError
        if (opts.strict) throw new InputError(`${formatProblem(p)} (--strict)`);
        stats.skipped++;
        if (stats.problems.length < MAX_KEPT_PROBLEMS) stats.problems.push(p);
      }
    }
    if (headerProblem !== undefined) {
      throw new InputError(
        `${file}: not an outcomes file: ${headerProblem} (expected a header with ${OUTCOME_REQUIRED_COLUMNS.join(', ')} and optional ${OUTCOME_SCOPE_COLUMNS.join(', ')}; see docs/kpi.md)`,
      );
    }
  }
  return stats;
}
