import { cpSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

/**
 * A deterministic input tree that exercises every way a parallel scan can differ from a serial one: the same
 * request in two files with different contents (the first copy must win), copies within one file far apart (in
 * different chunks), bad lines in late chunks (their line numbers), text-only lines (tokenized in workers),
 * unknown models, stated costs, bill rows joined with usage, a CSV with quoted tags and a multi-line quoted field
 * at a chunk boundary, a Claude Code tree with a resumed session, a gzip file and an empty file.
 */
export function parallelInputs(): string {
  const dir = mkdtempSync(join(tmpdir(), 'finops-parallel-'));
  let seed = 5;
  const rand = (): number => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), seed | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (lo: number, hi: number): number => lo + Math.floor(rand() * (hi - lo + 1));
  const models = [
    ['openai', 'gpt-4o-mini'],
    ['openai', 'gpt-4.1'],
    ['anthropic', 'claude-sonnet-4-5-20250929'],
    ['anthropic', 'claude-haiku-4-5'],
    ['openai', 'gpt-unknown-9'],
  ] as const;
  const teams = ['support', 'sales', 'search'];
  const t0 = Date.UTC(2026, 9, 1);
  const line = (i: number, tag: string, extra: Record<string, unknown> = {}): string => {
    // The model follows the request id, so a copy in another file keeps the same de-duplication key.
    const [provider, model] = models[(i * 7) % models.length]!;
    const o: Record<string, unknown> = {
      timestamp: new Date(t0 + i * 61_000 + int(0, 60_000)).toISOString(),
      provider,
      model,
      team: teams[int(0, teams.length - 1)],
      app: `app-${int(1, 4)}`,
      request_id: `req_${i}`,
      ...extra,
    };
    if (int(0, 9) === 0) {
      o.prompt = `Summarise ticket ${int(1, 40)} for ${tag}: the customer cannot log in after the update.`;
      o.completion = `Ticket ${int(1, 40)}: reset the session cache; ${'steps '.repeat(int(1, 5))}`;
    } else o.tokens = { input: int(10, 5000), cache_read: int(0, 9000), output: int(1, 900) };
    if (int(0, 4) === 0) o.cost = int(1, 100_000) / 1_000_000 + 0.1;
    return JSON.stringify(o);
  };

  // a.jsonl: 4,000 requests; a bad line and a bad record late in the file; a copy of an early line near the end.
  const a: string[] = [];
  for (let i = 0; i < 4000; i++) a.push(line(i, 'a'));
  a.splice(3100, 0, '{"timestamp": "2026-10-03T00:00:00Z", "provider": "openai"');
  a.splice(
    3500,
    0,
    JSON.stringify({
      timestamp: '2026-10-03T00:00:00Z',
      provider: 'openai',
      model: 'gpt-4o',
      tokens: { input: -1 },
    }),
  );
  a.push(a[10]!);
  // Bedrock usage on the bill's first days: those bill lines keep their cost, not their tokens (the bill join).
  for (let d = 0; d < 5; d++) {
    a.push(
      JSON.stringify({
        timestamp: new Date(t0 + d * 86_400_000 + 3_600_000).toISOString(),
        provider: 'aws-bedrock',
        model: 'claude-sonnet-4-5',
        tokens: { input: 100, output: 10 },
        team: 'search',
      }),
    );
  }
  writeFileSync(join(dir, 'a.jsonl'), a.join('\n') + '\n');
  // b.jsonl: requests 3,000–5,999: the first 1,000 repeat a.jsonl's ids with other contents (a's copies count).
  const b: string[] = [];
  for (let i = 3000; i < 6000; i++) b.push(line(i, 'b', { team: 'other' }));
  writeFileSync(join(dir, 'b.jsonl'), b.join('\n') + '\n');
  writeFileSync(join(dir, 'c.jsonl.gz'), gzipSync(b.slice(0, 500).join('\n') + '\n'));
  writeFileSync(join(dir, 'empty.jsonl'), '');

  // A bill (AWS CUR) whose Claude lines share days with the request log (joined), with quoted JSON tags, and one
  // resource id quoted over two lines somewhere in the middle.
  const cur = [
    'identity_line_item_id,identity_time_interval,line_item_usage_account_id,line_item_line_item_type,line_item_usage_start_date,line_item_usage_end_date,line_item_product_code,line_item_usage_type,line_item_resource_id,line_item_usage_amount,line_item_unblended_cost,line_item_currency_code,pricing_unit,resource_tags',
  ];
  for (let i = 0; i < 3000; i++) {
    const s = new Date(t0 + Math.floor(i / 100) * 86_400_000).toISOString().replace('.000Z', 'Z');
    const e = new Date(t0 + (Math.floor(i / 100) + 1) * 86_400_000).toISOString().replace('.000Z', 'Z');
    const type = [
      'USE1-Claude4.5Sonnet-input-tokens',
      'USE1-Claude4.5Sonnet-output-tokens',
      'USE1-NovaPro-input-tokens',
    ][i % 3];
    const res = i === 1500 ? '"arn:aws:bedrock:us-east-1::x\nsecond line"' : '';
    const tags = i % 4 === 0 ? '' : `"{""user_team"":""${teams[i % 3]}""}"`;
    cur.push(
      `li-${i},${s}/${e},1111,Usage,${s},${e},AmazonBedrock,${type},${res},${int(1, 9000) / 10},${int(1, 90000) / 1000},USD,1K tokens,${tags}`,
    );
  }
  writeFileSync(join(dir, 'cur.csv'), cur.join('\n') + '\n');
  const usage = [
    'start_time,end_time,start_time_iso,end_time_iso,project_id,num_model_requests,user_id,api_key_id,model,batch,service_tier,input_tokens,output_tokens,input_cached_tokens,input_uncached_tokens',
  ];
  for (let i = 0; i < 3000; i++) {
    const st = t0 / 1000 + Math.floor(i / 200) * 86400;
    const iso = (t: number) => new Date(t * 1000).toISOString().replace('.000Z', '+00:00');
    const input = int(1000, 9000);
    const cached = int(0, 999);
    usage.push(
      `${st},${st + 86400},${iso(st)},${iso(st + 86400)},proj_${i % 7},${int(1, 99)}.0,user-${i % 5},key_${i},gpt-4o-2024-08-06,False,default,${input}.0,${int(10, 900)}.0,${cached}.0,${input - cached}.0`,
    );
  }
  writeFileSync(join(dir, 'completions_usage_2026-10-01_2026-10-31.csv'), usage.join('\n') + '\n');

  // Claude Code: the sample tree (a resumed session copies two messages of the first).
  const cc = join(dir, 'claude');
  mkdirSync(cc);
  cpSync(
    join(import.meta.dirname, '..', '..', 'fixtures', 'samples', 'claude-code', 'projects'),
    join(cc, 'projects'),
    {
      recursive: true,
    },
  );
  return dir;
}
