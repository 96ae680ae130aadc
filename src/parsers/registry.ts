import { anthropicCostParser } from './anthropic-cost.ts';
import { anthropicUsageParser } from './anthropic-usage.ts';
import { claudeCodeParser } from './claude-code.ts';
import { openaiCostsParser } from './openai-costs.ts';
import { openaiUsageParser } from './openai-usage.ts';
import { requestLogParser } from './request-log.ts';
import { anthropicConsoleCsvParser } from './anthropic-console-csv.ts';
import { focusParser } from './focus.ts';
import { openaiBatchOutputParser } from './openai-batch-output.ts';
import { openaiConsoleCsvParser } from './openai-console-csv.ts';
import { awsBedrockInvocationsParser } from './aws-bedrock-invocations.ts';
import { awsCurParser } from './aws-cur.ts';
import { azureCostParser } from './azure-cost.ts';
import { gcpBillingParser } from './gcp-billing.ts';
import { heliconeParser } from './helicone.ts';
import { langfuseParser } from './langfuse.ts';
import { litellmSpendParser } from './litellm-spend.ts';
import { otelGenaiParser } from './otel-genai.ts';
import type { Parser } from './types.ts';

/** Every format finops reads. Add a parser here (and a sample under fixtures/samples/<id>/). */
export const PARSERS: readonly Parser[] = [
  openaiUsageParser,
  openaiCostsParser,
  anthropicUsageParser,
  anthropicCostParser,
  claudeCodeParser,
  requestLogParser,
  openaiBatchOutputParser,
  openaiConsoleCsvParser,
  anthropicConsoleCsvParser,
  focusParser,
  awsBedrockInvocationsParser,
  awsCurParser,
  azureCostParser,
  gcpBillingParser,
  otelGenaiParser,
  litellmSpendParser,
  langfuseParser,
  heliconeParser,
];

/** Confidence a parser needs to be chosen. */
export const DETECT_THRESHOLD = 0.5;

/** The parser that claims `head` with the highest confidence ≥ DETECT_THRESHOLD, or undefined. */
export function detectFormat(
  head: string,
  file: string,
  parsers: readonly Parser[] = PARSERS,
): Parser | undefined {
  for (const p of parsers) if (p.claims?.(head)) return p;
  let best: Parser | undefined;
  let bestScore = DETECT_THRESHOLD;
  for (const p of parsers) {
    const s = p.detect(head, file);
    if (s >= bestScore && (best === undefined || s > bestScore)) {
      best = p;
      bestScore = s;
    }
  }
  return best;
}

/** The parser with this id, or undefined. */
export function parserById(id: string): Parser | undefined {
  return PARSERS.find((p) => p.id === id);
}
