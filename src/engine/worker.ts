/**
 * A worker thread of the parallel engine (src/engine/parallel.ts): builds its
 * own tfjs engine from the weights in workerData and answers logits requests.
 * What it does is in workerProtocol.ts (tested in-process); this entry only
 * wires it to the thread's parentPort.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { type WorkerInit, type WorkerMessage, answerRequests, startWorkerEngine } from './workerProtocol.ts';

const port = parentPort;
if (port === null) throw new Error('src/engine/worker.ts runs only as a worker thread (see src/engine/parallel.ts)');
const post = (message: WorkerMessage, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);

const engine = await startWorkerEngine(workerData as WorkerInit, post);
if (engine !== undefined) {
  const answer = answerRequests(engine, post);
  port.on('message', (request) => void answer(request));
}
