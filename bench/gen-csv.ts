/**
 * Writes deterministic usage and cost CSV exports with ROWS data rows in all, half in each file:
 *  - `completions_usage_2026-01-01_2026-03-31.csv`: the OpenAI dashboard Activity export (one row per day ×
 *    project × user × API key × model × batch), quote-free like the real download;
 *  - `cur-bedrock.csv`: an AWS CUR 2.0 export of Amazon Bedrock token lines, whose `resource_tags` column is
 *    a quoted JSON map (`"{""user_team"":""support""}"`), as AWS writes it.
 *
 * Usage: tsx bench/gen-csv.ts OUT_DIR --rows 1000000
 */
import { createWriteStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';

/** What was written. */
export interface CsvGenResult {
  files: string[];
  rows: number;
  bytes: number;
}

const OPENAI_HEADER =
  'start_time,end_time,start_time_iso,end_time_iso,project_id,num_model_requests,user_id,api_key_id,model,batch,service_tier,input_tokens,output_tokens,input_cached_tokens,input_uncached_tokens,input_text_tokens,output_text_tokens,input_cached_text_tokens,input_audio_tokens,input_cached_audio_tokens,output_audio_tokens,input_image_tokens,input_cached_image_tokens,output_image_tokens';
const OPENAI_MODELS = [
  'gpt-4o-2024-08-06',
  'gpt-4o-mini-2024-07-18',
  'gpt-4.1-2025-04-14',
  'gpt-4.1-mini-2025-04-14',
  'o4-mini-2025-04-16',
  'gpt-5-2025-08-07',
];
const CUR_HEADER =
  'identity_line_item_id,identity_time_interval,bill_payer_account_id,line_item_usage_account_id,line_item_line_item_type,line_item_usage_start_date,line_item_usage_end_date,line_item_product_code,line_item_usage_type,line_item_operation,line_item_resource_id,line_item_usage_amount,line_item_unblended_cost,line_item_net_unblended_cost,line_item_currency_code,line_item_iam_principal,pricing_unit,product_region_code,product_product_name,resource_tags';
const CUR_TYPES = [
  ['USE1-Claude4.5Sonnet-input-tokens', 0.003],
  ['USE1-Claude4.5Sonnet-output-tokens', 0.015],
  ['USE1-Claude4.5Sonnet-cache-read-input-token-count', 0.0003],
  ['USW2-Claude4.5Haiku-input-tokens', 0.001],
  ['USW2-Claude4.5Haiku-output-tokens', 0.005],
  ['USE1-NovaPro-input-tokens', 0.0008],
  ['USE1-Llama3-3-70B-input-tokens-batch', 0.00036],
] as const;
const TEAMS = ['support', 'sales', 'search', 'data', 'platform'];

/** Generates both files under `out`. */
export async function generateCsv(out: string, rows: number): Promise<CsvGenResult> {
  mkdirSync(out, { recursive: true });
  let seed = 11;
  const rand = (): number => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), seed | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (lo: number, hi: number): number => lo + Math.floor(rand() * (hi - lo + 1));
  const day0 = Date.UTC(2026, 0, 1) / 1000;
  const result: CsvGenResult = { files: [], rows: 0, bytes: 0 };

  const write = async (
    name: string,
    header: string,
    n: number,
    row: (i: number) => string,
  ): Promise<void> => {
    const path = join(out, name);
    const ws = createWriteStream(path);
    let buf = header + '\n';
    for (let i = 0; i < n; i++) {
      buf += row(i) + '\n';
      if (buf.length > 1 << 20) {
        result.bytes += Buffer.byteLength(buf);
        if (!ws.write(buf)) await new Promise<void>((r) => ws.once('drain', () => r()));
        buf = '';
      }
    }
    result.bytes += Buffer.byteLength(buf);
    ws.end(buf);
    await new Promise<void>((r, j) => ws.once('finish', () => r()).once('error', j));
    result.files.push(path);
    result.rows += n;
  };

  // OpenAI: distinct buckets, day-major: 90 days × 4,000 (project, user, key, model, batch) combinations max.
  const nOpenai = Math.ceil(rows / 2);
  const perDay = Math.max(1, Math.ceil(nOpenai / 90));
  await write('completions_usage_2026-01-01_2026-03-31.csv', OPENAI_HEADER, nOpenai, (i) => {
    const day = Math.floor(i / perDay);
    const c = i % perDay;
    const s = day0 + day * 86400;
    const e = s + 86400;
    const iso = (t: number) => new Date(t * 1000).toISOString().replace('.000Z', '+00:00');
    const model = OPENAI_MODELS[c % OPENAI_MODELS.length]!;
    const batch = (c >> 3) % 5 === 0;
    const input = int(1_000, 4_000_000);
    const cached = Math.floor(input * rand() * 0.6);
    const output = int(100, 600_000);
    return [
      s,
      e,
      iso(s),
      iso(e),
      `proj_${(c >> 4) % 50}`,
      `${int(1, 9000)}.0`,
      `user-${(c >> 10) % 40}`,
      `key_${(c >> 6) % 20}_${c}`,
      model,
      batch ? 'True' : 'False',
      'default',
      `${input}.0`,
      `${output}.0`,
      `${cached}.0`,
      `${input - cached}.0`,
      `${input}.0`,
      `${output}.0`,
      `${cached}.0`,
      '0.0',
      '0.0',
      '0.0',
      '0.0',
      '0.0',
      '0.0',
    ].join(',');
  });

  // AWS CUR: one line item per row, hourly intervals, a quoted JSON tag map on most lines.
  const nCur = Math.floor(rows / 2);
  await write('cur-bedrock.csv', CUR_HEADER, nCur, (i) => {
    const s = day0 + Math.floor((i / nCur) * 90 * 24) * 3600;
    const start = new Date(s * 1000).toISOString().replace('.000Z', 'Z');
    const end = new Date((s + 3600) * 1000).toISOString().replace('.000Z', 'Z');
    const [type, rate] = CUR_TYPES[int(0, CUR_TYPES.length - 1)]!;
    const amount = (int(1, 5_000_000) / 1000).toFixed(3);
    const cost = (Number(amount) * rate).toFixed(8);
    const team = TEAMS[int(0, TEAMS.length - 1)]!;
    const tags = rand() < 0.8 ? `"{""user_team"":""${team}"",""user_app"":""app-${int(1, 12)}""}"` : '';
    const account = `1111222233${int(10, 29)}`;
    return [
      `li-${i.toString(36)}`,
      `${start}/${end}`,
      '999988887777',
      account,
      'Usage',
      start,
      end,
      i % 3 === 0 ? 'AmazonBedrockService' : 'AmazonBedrock',
      type,
      'InvokeModelInference',
      '',
      amount,
      cost,
      cost,
      'USD',
      `arn:aws:sts::${account}:assumed-role/App/session-${int(1, 99)}`,
      '1K tokens',
      type.startsWith('USW2') ? 'us-west-2' : 'us-east-1',
      'Amazon Bedrock',
      tags,
    ].join(',');
  });
  return result;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const out = process.argv[2];
  const at = process.argv.indexOf('--rows');
  if (!out || at < 0) {
    console.error('usage: tsx bench/gen-csv.ts OUT_DIR --rows N');
    process.exit(2);
  }
  const r = await generateCsv(out, Number(process.argv[at + 1]));
  console.error(`wrote ${r.files.join(', ')}: ${r.rows} rows, ${(r.bytes / 1e6).toFixed(0)} MB`);
}
