// The practical limit for a JSONL log: read the file, split it into lines, JSON.parse every line. Nothing else.
// Usage: node bench/reference/json-lines.mjs FILE...   Prints {"rows":N} on stdout.
import { createReadStream } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';

let rows = 0;
let sink = 0;
for (const file of process.argv.slice(2)) {
  const decoder = new StringDecoder('utf8');
  let carry = '';
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) {
    const text = carry + decoder.write(chunk);
    let pos = 0;
    for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', pos)) {
      const obj = JSON.parse(text.slice(pos, nl));
      if (obj.timestamp !== undefined) sink++;
      rows++;
      pos = nl + 1;
    }
    carry = text.slice(pos);
  }
  if ((carry + decoder.end()).trim() !== '') {
    JSON.parse(carry);
    rows++;
  }
}
process.stdout.write(JSON.stringify({ rows, sink }) + '\n');
