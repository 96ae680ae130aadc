// The practical limit for a JSONL log: read the file, split it into lines, JSON.parse every line. Nothing else.
// Lines are cut on the bytes and each decoded alone (faster than decoding a chunk and slicing the string, whose
// slices JSON.parse must flatten). Usage: node bench/reference/json-lines.mjs FILE...   Prints {"rows":N}.
import { chunksOf } from './read.mjs';

let rows = 0;
let sink = 0;
for (const file of process.argv.slice(2)) {
  let carry;
  for (let chunk of chunksOf(file)) {
    if (carry) chunk = Buffer.concat([carry, chunk]);
    carry = undefined;
    let pos = 0;
    for (let nl = chunk.indexOf(10); nl !== -1; nl = chunk.indexOf(10, pos)) {
      const obj = JSON.parse(chunk.toString('utf8', pos, nl));
      if (obj.timestamp !== undefined) sink++;
      rows++;
      pos = nl + 1;
    }
    if (pos < chunk.length) carry = chunk.subarray(pos);
  }
  if (carry && carry.toString('utf8').trim() !== '') {
    JSON.parse(carry.toString('utf8'));
    rows++;
  }
}
process.stdout.write(JSON.stringify({ rows, sink }) + '\n');
