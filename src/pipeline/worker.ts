/**
 * A worker thread of a parallel scan (parallel.ts): rebuilds the scan's context from plain data (prices from the
 * same sources, parsers from the same config), then runs the tasks it is sent, one at a time, and posts each
 * outcome back (de-duplication keys transferred, not copied).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { mappedCsvParsers } from '../parsers/mapped-csv.ts';
import { loadPriceBook } from '../pricing/index.ts';
import { keyedBuffers } from './keyed.ts';
import type { WorkerInit, WorkerJob, WorkerReply } from './parallel.ts';
import { parserSet } from './read.ts';
import { errorData, runTask, taskContext, type TaskContext } from './task.ts';

const port = parentPort!;
const init = workerData as WorkerInit;

let ctx: TaskContext | undefined;
try {
  const book = await loadPriceBook(init.priceSource);
  const { parsers, forced } = parserSet({
    format: init.format,
    parsers: mappedCsvParsers(init.settings.config.csv_formats),
  });
  ctx = taskContext(init.settings, book, parsers, forced);
  port.postMessage({ kind: 'ready' } satisfies WorkerReply);
} catch (e) {
  port.postMessage({ kind: 'fatal', error: errorData(e) } satisfies WorkerReply);
}

let chain: Promise<void> = Promise.resolve();
port.on('message', (job: WorkerJob) => {
  chain = chain.then(async () => {
    if (!ctx) return;
    const outcome = await runTask(job.task, ctx);
    const reply: WorkerReply = { kind: 'outcome', slot: job.slot, gen: job.gen, outcome };
    const transfer = outcome.keys ? [outcome.keys.buffer as ArrayBuffer] : [];
    if (outcome.keyed) transfer.push(...keyedBuffers(outcome.keyed));
    port.postMessage(reply, transfer);
  });
});
