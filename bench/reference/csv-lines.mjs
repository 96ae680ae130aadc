// The practical limit for a CSV export: read the file, split it into lines and every line at commas (no quote
// handling, so not even correct for quoted fields), reading as finops does (read.mjs). `--csv-parse`: the same files through csv-parse (streaming),
// the library finops falls back to, for comparison. Usage: node bench/reference/csv-lines.mjs [--csv-parse] FILE...
import { createReadStream } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { chunksOf } from './read.mjs';

const useCsvParse = process.argv.includes('--csv-parse');
const files = process.argv.slice(2).filter((a) => a !== '--csv-parse');
let rows = 0;
let cells = 0;
for (const file of files) {
  if (useCsvParse) {
    const { parse } = await import('csv-parse');
    for await (const record of createReadStream(file).pipe(parse({ relax_column_count: true }))) {
      rows++;
      cells += record.length;
    }
    continue;
  }
  const decoder = new StringDecoder('utf8');
  let carry = '';
  for (const chunk of chunksOf(file)) {
    const text = carry + decoder.write(chunk);
    let pos = 0;
    for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', pos)) {
      cells += text.slice(pos, nl).split(',').length;
      rows++;
      pos = nl + 1;
    }
    carry = text.slice(pos);
  }
}
process.stdout.write(JSON.stringify({ rows, cells }) + '\n');
