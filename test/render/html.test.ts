import { describe, expect, it } from 'vitest';
import type { Report } from '../../src/analysis/report.ts';
import { jsonForScript, renderReportHtml } from '../../src/render/html.ts';
import { esc, niceTicks } from '../../src/render/html/svg.ts';
import { sampleReport } from './sample.ts';

const EVIL = '<script>alert(1)</script>"\'&';

/** The Report the page embeds. */
function embedded(html: string): Report {
  const m = /<script type="application\/json" id="finops-report">([^]*?)<\/script>/.exec(html);
  return JSON.parse(m![1]!) as Report;
}

describe('renderReportHtml', () => {
  it('is one self-contained page: no external URL, no script that runs, a CSP that forbids both', () => {
    const html = renderReportHtml(sampleReport());
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).not.toMatch(/\b(src|href)=["']?(https?:)?\/\//i);
    expect(html).not.toMatch(/@import|url\(/);
    expect(html.match(/<script\b[^>]*>/g)).toEqual(['<script type="application/json" id="finops-report">']);
    expect(html).toContain(`content="default-src 'none'; style-src 'unsafe-inline'; img-src data:"`);
    expect(html).toContain('@media print');
  });

  it('embeds the Report it was drawn from, unchanged', () => {
    const r = sampleReport();
    expect(embedded(renderReportHtml(r))).toEqual(JSON.parse(JSON.stringify(r)));
  });

  it('leaves out the sections whose data is absent, and shows savings and KPIs when present', () => {
    const bare = renderReportHtml(sampleReport());
    for (const s of ['class="savings"', 'class="kpis"', 'class="budgets"', 'class="reconciliation"']) {
      expect(bare).not.toContain(s);
    }
    const r = sampleReport();
    r.savings = [
      {
        simulation: 'routing',
        description: 'simple tickets to claude-haiku-4-5',
        current: 90.42,
        simulated: 31.2,
        saving: 59.22,
      },
    ];
    r.kpis = [
      {
        name: 'cost per resolved ticket',
        value: 0.042,
        unit: 'resolved ticket',
        cost: 133.33,
        outcomes: 3175,
        previous: 0.05,
      },
    ];
    const html = renderReportHtml(r);
    expect(html).toContain('Savings opportunities');
    expect(html).toContain('$59.22');
    expect(html).toContain('Cost per outcome');
    expect(html).toContain('▼ -16.0% vs $0.05');
  });

  it('escapes every input-derived string: team, app, model, file, notes, command', () => {
    const r = sampleReport();
    r.groups[0]!.key.team = EVIL;
    r.series!.breakdowns[0]!.values[0]!.key = EVIL;
    r.unpriced[0]!.model = EVIL;
    r.inputs[0]!.file = EVIL;
    r.notes.push(EVIL);
    r.invocation = { command: `finops report '${EVIL}'`, generatedAt: '2026-11-01T00:00:00Z' };
    const html = renderReportHtml(r);
    expect(html).not.toContain('<script>alert');
    expect(html).toContain('&#60;script&#62;alert(1)&#60;/script&#62;&#34;&#39;&#38;');
    expect(embedded(html).groups[0]!.key.team).toBe(EVIL);
    expect(jsonForScript({ a: '</script><!--\u2028' })).toBe(
      '{"a":"\\u003c/script\\u003e\\u003c!--\\u2028"}',
    );
  });

  it('says why there is no change figure without --from/--to, and shows it with them', () => {
    const r = sampleReport();
    expect(renderReportHtml(r)).toContain('run with --from and --to');
    r.previous = {
      from: '2026-09-01T00:00:00.000Z',
      to: '2026-10-01T00:00:00.000Z',
      cost: 150,
      requests: 1,
      change: 0.181239,
    };
    expect(renderReportHtml(r)).toMatch(
      /▲ \+18\.1%<\/div><div class="note">vs \$150\.00 in 2026-09-01 → 2026-09-30/,
    );
  });
});

describe('chart helpers', () => {
  it('esc covers the five HTML specials', () => {
    expect(esc(`<a href="x">'&'</a>`)).toBe('&#60;a href=&#34;x&#34;&#62;&#39;&#38;&#39;&#60;/a&#62;');
  });

  it('niceTicks gives round steps that cover the maximum', () => {
    expect(niceTicks(12.83)).toEqual([0, 5, 10, 15]);
    expect(niceTicks(9.3, 4)).toEqual([0, 2.5, 5, 7.5, 10]);
    expect(niceTicks(0)).toEqual([0, 1]);
    expect(niceTicks(40_000_000, 4)).toEqual([0, 10_000_000, 20_000_000, 30_000_000, 40_000_000]);
  });
});
