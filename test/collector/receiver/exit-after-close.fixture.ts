// Run by lifecycle.test.ts in a process of its own: starts a receiver, serves one request on a
// keep-alive connection and holds a second one open, closes the receiver, then does nothing else.
// The process must exit on its own: nothing of the receiver may keep it alive after close().
import { Agent as HttpAgent, request } from 'node:http';
import { startTestReceiver } from './receiver-harness.ts';

const { receiver, clock } = await startTestReceiver({}, { drainTimeoutMs: 200 });
const keepAlive = new HttpAgent({ keepAlive: true });
await new Promise<void>((resolve) => {
  request(`${receiver.url}/v1/traces`, {
    method: 'POST',
    agent: keepAlive,
    headers: { 'content-type': 'application/json' },
  })
    .on('response', (response) => response.resume().on('end', resolve))
    .end('{}');
});
const held = request(`${receiver.url}/v1/traces`, {
  method: 'POST',
  headers: { 'content-type': 'application/json', 'content-length': '2' },
});
held.on('error', () => {});
held.flushHeaders();
// Waits for the real socket: the request reaches the receiver in its own time.
while (receiver.stats().inFlight === 0) await new Promise((resolve) => setTimeout(resolve, 5));
const closed = receiver.close();
// The drain timeout runs on the agent's manual clock: moved past it, the held request is cut off.
await clock.advanceAsync(200);
await closed;
console.log(JSON.stringify(receiver.stats()));
