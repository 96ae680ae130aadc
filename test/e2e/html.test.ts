import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/analysis/report.ts';
import { fmtUsd } from '../../src/render/format.ts';

// The HTML report in a real browser: Debian's chromium, driven by playwright-core (no browser download).
// `.ci/run` installs chromium; locally, install it with `apt-get install chromium` or this suite is skipped.
const CHROMIUM = '/usr/bin/chromium';
const HAVE_CHROMIUM = existsSync(CHROMIUM);
if (!HAVE_CHROMIUM)
  console.warn(`test/e2e/html.test.ts: skipped: ${CHROMIUM} not found (apt-get install chromium)`);

const ROOT = join(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'finops.js');
const DEMO = 'fixtures/demo';
const DEMO_CONFIG = 'fixtures/demo/finops.yaml';
const ARTIFACTS = join(ROOT, 'test', 'artifacts');
const tmp = mkdtempSync(join(tmpdir(), 'finops-html-'));

function finops(args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', NO_COLOR: '1', TZ: 'UTC', FINOPS_HOME: join(tmp, 'home') },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The page's own embedded Report (the JSON it was drawn from). */
async function embedded(page: Page): Promise<Report> {
  return JSON.parse((await page.locator('#finops-report').textContent()) ?? 'null') as Report;
}

describe.skipIf(!HAVE_CHROMIUM)('finops report --format html in headless Chromium', () => {
  let browser: Browser;
  let page: Page;
  const requests: string[] = [];
  const dialogs: string[] = [];
  const errors: string[] = [];
  const file = join(tmp, 'report.html');
  let json: Report;

  beforeAll(async () => {
    const args = ['report', DEMO, '--config', DEMO_CONFIG, '--by', 'team,app'];
    const html = finops([...args, '--format', 'html', '--output', file]);
    expect(html.code, html.stderr).toBe(0);
    json = JSON.parse(finops([...args, '--series', '--format', 'json']).stdout) as Report;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ], // playwright starts it with a new, empty profile (its own temporary --user-data-dir)
    });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('request', (r) => requests.push(r.url()));
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(pathToFileURL(file).href);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
  });

  it('loads nothing from the network and runs no script', () => {
    expect(requests.filter((u) => !u.startsWith('file:'))).toEqual([]);
    expect(dialogs).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('embeds the same report the json format prints', async () => {
    const r = await embedded(page);
    expect(r.totals).toEqual(json.totals);
    expect(r.groups).toEqual(json.groups);
    expect(r.series).toEqual(json.series);
  });

  it('shows the headline spend as totals.cost formatted', async () => {
    await expect(page.locator('#headline-spend .value').textContent()).resolves.toBe(
      fmtUsd(json.totals.cost),
    );
    await expect(page.locator('#headline-requests .value').textContent()).resolves.toBe(
      json.totals.requests.toLocaleString('en-US'),
    );
  });

  it('draws spend over time stacked by team: the teams of the JSON, and each day stacks to its total', async () => {
    const team = json.series!.breakdowns.find((b) => b.dim === 'team')!;
    const chart = page.locator('svg[data-chart="stacked-bars"][data-dim="team"]');
    await expect(chart.isVisible()).resolves.toBe(true);
    const names = await chart
      .locator('g.series')
      .evaluateAll((gs) => gs.map((g) => g.getAttribute('data-series')));
    expect(names).toEqual(team.values.map((v) => v.key));
    expect([...names].sort()).toEqual(['engineering', 'sales', 'support', 'unattributed']);
    // Geometry as drawn by the browser: per day, the bars touch end to end, and their height is the day's total
    // on the chart's own scale (the top gridline's value over the plot height).
    const drawn = await chart.evaluate((svg) => {
      const top = Number(svg.getAttribute('data-top'));
      const plotHeight = Number(svg.getAttribute('data-plot-height'));
      const days = new Map<string, { value: number; height: number; boxes: [number, number][] }>();
      // (tsconfig has no DOM lib: this function runs in the page, where getBBox exists.)
      for (const rect of svg.querySelectorAll('g.series rect')) {
        const box = (rect as unknown as { getBBox(): { y: number; height: number } }).getBBox();
        const d = rect.getAttribute('data-day')!;
        const e = days.get(d) ?? { value: 0, height: 0, boxes: [] };
        e.value += Number(rect.getAttribute('data-value'));
        e.height += box.height;
        e.boxes.push([box.y, box.y + box.height]);
        days.set(d, e);
      }
      return { top, plotHeight, days: [...days].map(([day, e]) => ({ day, ...e })) };
    });
    const s = json.series!;
    expect(drawn.days.length).toBeGreaterThan(25);
    for (const d of drawn.days) {
      const i = s.days.indexOf(d.day);
      expect(i).toBeGreaterThanOrEqual(0);
      expect(d.value).toBeCloseTo(s.total[i]!, 4);
      expect(d.height).toBeCloseTo((s.total[i]! / drawn.top) * drawn.plotHeight, 0);
      const boxes = d.boxes.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
      for (let k = 1; k < boxes.length; k++) expect(boxes[k]![0]).toBeCloseTo(boxes[k - 1]![1], 1);
    }
    const sum = drawn.days.reduce((a, d) => a + d.value, 0);
    expect(sum).toBeCloseTo(json.totals.cost, 3);
    // The legend gives each team's total.
    const legend = await page
      .locator('.panel[data-dim="team"] .legend li')
      .evaluateAll((lis) =>
        lis.map((li) => [li.getAttribute('data-series'), Number(li.getAttribute('data-total'))]),
      );
    expect(legend.map(([n]) => n)).toEqual(team.values.map((v) => v.key));
    for (const [k, v] of legend) expect(v).toBeCloseTo(team.values.find((x) => x.key === k)!.cost, 4);
  });

  it('switches the stack to app and model without script', async () => {
    await expect(page.locator('.panel[data-dim="app"]').isVisible()).resolves.toBe(false);
    await page.locator('label[for="spend-1"]').click();
    await expect(page.locator('.panel[data-dim="app"]').isVisible()).resolves.toBe(true);
    await expect(page.locator('.panel[data-dim="team"]').isVisible()).resolves.toBe(false);
    const apps = await page
      .locator('svg[data-dim="app"] g.series')
      .evaluateAll((gs) => gs.map((g) => g.getAttribute('data-series')));
    expect(apps.length).toBeLessThanOrEqual(8);
    expect(apps[0]).toBe(json.series!.breakdowns.find((b) => b.dim === 'app')!.values[0]!.key);
    await page.locator('label[for="spend-0"]').click();
  });

  it('draws a burn-down per budget with the alert and hard-stop lines and the forecast band', async () => {
    const burns = page.locator('svg[data-chart="burn"]');
    await expect(burns.count()).resolves.toBe(5);
    const sales = page.locator('svg[data-chart="burn"][data-budget="sales-quarterly"]');
    await expect(sales.locator('.alert').getAttribute('data-value')).resolves.toBe(String(0.8 * 70));
    await expect(sales.locator('.hard-stop').getAttribute('data-value')).resolves.toBe('70');
    await expect(sales.locator('.forecast polygon').count()).resolves.toBe(2);
    const r = await embedded(page);
    for (const b of r.budgets!.budgets) {
      await expect(page.locator(`figure[data-budget="${b.name}"] .badge`).textContent()).resolves.toBe(
        b.status,
      );
    }
  });

  it('shows the warnings, the pricing snapshot and the command', async () => {
    await expect(page.locator('.warn-unpriced').textContent()).resolves.toContain('acme-coder-ft-v3');
    await expect(page.locator('.warn-unattributed').textContent()).resolves.toContain('unattributed');
    await expect(page.locator('#pricing').textContent()).resolves.toContain(json.pricing.snapshot);
    await expect(page.locator('#invocation').textContent()).resolves.toBe(
      `finops report ${DEMO} --config ${DEMO_CONFIG} --by team,app --format html --output ${file}`,
    );
  });

  it('saves a screenshot (test/artifacts/report.png) and prints to PDF', async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'report.png'), fullPage: true });
    await page.emulateMedia({ media: 'print' });
    const pdf = await page.pdf({ format: 'A4' });
    writeFileSync(join(ARTIFACTS, 'report.pdf'), pdf);
    expect(pdf.subarray(0, 4).toString()).toBe('%PDF');
    await page.emulateMedia({ media: 'screen' });
  });

  it('escapes a hostile team name everywhere, and runs none of it', async () => {
    const evil = '<script>alert(1)</script><img src=x onerror=alert(2)>"\'&';
    const log = join(tmp, 'evil.jsonl');
    writeFileSync(
      log,
      [1, 2, 3]
        .map((d) =>
          JSON.stringify({
            timestamp: `2026-10-0${d}T10:00:00Z`,
            provider: 'openai',
            model: 'gpt-4o-mini',
            tokens: { input: 1000 * d, output: 100 },
            team: evil,
            app: `</title><svg onload=alert(3)>`,
          }),
        )
        .join('\n'),
    );
    const out = join(tmp, 'evil.html');
    expect(finops(['report', log, '--by', 'team,app', '--format', 'html', '--output', out]).code).toBe(0);
    const text = readFileSync(out, 'utf8');
    expect(text).not.toContain('<script>alert');
    expect(text).not.toContain('<img src=x');
    expect(text).not.toContain('<svg onload');
    const p = await browser.newPage();
    const seen: string[] = [];
    p.on('dialog', (d) => {
      seen.push(d.message());
      void d.dismiss();
    });
    await p.goto(pathToFileURL(out).href);
    await expect(p.locator('script:not([type="application/json"])').count()).resolves.toBe(0);
    await expect(p.locator('img').count()).resolves.toBe(0);
    const names = await p
      .locator('svg[data-dim="team"] g.series')
      .evaluateAll((gs) => gs.map((g) => g.getAttribute('data-series')));
    expect(names).toEqual([evil]);
    await expect(p.locator('.panel[data-dim="team"] .legend li').first().textContent()).resolves.toContain(
      evil,
    );
    expect((await embedded(p)).groups[0]!.key.team).toBe(evil);
    expect(seen).toEqual([]);
    await p.close();
  });
});
