import { fmtInt, fmtUsd } from '../render/format.ts';
import type { ScanOptions, ScanResult } from '../pipeline/scan.ts';
import { buildFocusExport, FOCUS_EXPORT_VERSION, renderFocusCsv, type ChargePeriod } from './focus.ts';

/** What every export format takes: the shared scan options and the period of each row. */
export interface ExportOptions extends ScanOptions {
  period: ChargePeriod;
}

/** A finished export: the file's text, its row count, the scan's accounting, and notes for people (stderr). */
export interface ExportResult {
  text: string;
  rows: number;
  scan: ScanResult;
  notes: string[];
}

/** One export format; `finops export --format` takes its choices from EXPORTERS. */
export interface Exporter {
  /** One line: what the format is (shown in `--help`). */
  title: string;
  run(opts: ExportOptions): Promise<ExportResult>;
}

/** FOCUS 1.2 cost-and-usage CSV: one row per charge period × provider × model × price × token kind × attribution. */
export const focusExporter: Exporter = {
  title: `FOCUS ${FOCUS_EXPORT_VERSION} cost-and-usage CSV (FinOps Foundation), readable back with the focus parser`,
  async run(opts) {
    const x = await buildFocusExport(opts);
    const notes: string[] = [];
    for (const u of x.unpriced) {
      notes.push(
        `${fmtInt(u.tokens)} tokens of ${u.model} (${u.provider}) have no price (${u.reason}): exported with empty ` +
          'costs and x_Unpriced=true. Add prices under pricing.overrides in finops.yaml, or import a price list ' +
          'with `finops pricing import`.',
      );
    }
    if (x.reportedCost !== 0) {
      notes.push(
        `Costs stated by the sources (${fmtUsd(x.reportedCost)}) are not in the export: BilledCost is tokens × the ` +
          `price finops applies (${fmtUsd(x.billedCost)} in all); compare the two with \`finops reconcile\`.`,
      );
    }
    return { text: renderFocusCsv(x.rows), rows: x.rows.length, scan: x.scan, notes };
  },
};

/** Export formats by `--format` value. Add a format here (and a file beside this one). */
export const EXPORTERS = { focus: focusExporter } satisfies Record<string, Exporter>;

/** One of the `--format` values of `finops export`. */
export type ExportFormat = keyof typeof EXPORTERS;
