// js-tiktoken called directly in a loop: read a text-only request log, JSON.parse every line, encode its prompt and
// completion with o200k_base, sum the counts. Usage: node bench/reference/tiktoken-loop.mjs FILE
import { createReadStream } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { getEncoding } from 'js-tiktoken';

const enc = getEncoding('o200k_base');
let rows = 0;
let tokens = 0;
const decoder = new StringDecoder('utf8');
let carry = '';
for await (const chunk of createReadStream(process.argv[2], { highWaterMark: 1 << 20 })) {
  const text = carry + decoder.write(chunk);
  let pos = 0;
  for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', pos)) {
    const o = JSON.parse(text.slice(pos, nl));
    if (o.prompt) tokens += enc.encode(o.prompt).length;
    if (o.completion) tokens += enc.encode(o.completion).length;
    rows++;
    pos = nl + 1;
  }
  carry = text.slice(pos);
}
process.stdout.write(JSON.stringify({ rows, tokens }) + '\n');
