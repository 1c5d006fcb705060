// An in-process cluster for the tests: a primary agent with its hub and workers with their links,
// joined by channels the test holds (messages as JSON, as IPC carries them; written when the test says).
import {
  Agent,
  type Channel,
  ClusterHub,
  type FollowedLoad,
  ManualClock,
  Outbox,
  WorkerLink,
} from '../../../agent/index.ts';
import type { HeadroomConfigInput } from '../../../config/index.ts';
import { configOf, ScriptedLoad } from '../../helpers/agent.ts';

/** One side of a test channel: what was sent, and whether the backlog is "full". */
export class TestChannel implements Channel {
  readonly pending: { message: object; done: (error: Error | null) => void }[] = [];
  congested = false;
  closed = false;
  readonly deliver: (message: unknown) => void;
  constructor(deliver: (message: unknown) => void) {
    this.deliver = deliver;
  }

  send(message: object, done: (error: Error | null) => void): boolean {
    if (this.closed) {
      queueMicrotask(() => done(new Error('channel closed')));
      return false;
    }
    this.pending.push({ message: JSON.parse(JSON.stringify(message)) as object, done });
    return !this.congested;
  }

  /** Delivers every message sent so far (in order) and reports each one written. */
  flush(): void {
    for (const { message, done } of this.pending.splice(0)) {
      this.deliver(message);
      done(null);
    }
  }
}

export interface TestWorker {
  readonly id: number;
  readonly agent: Agent;
  readonly link: WorkerLink;
  readonly load: ScriptedLoad;
  readonly followed: FollowedLoad;
  /** Worker -> primary. */
  readonly up: TestChannel;
  /** Primary -> worker. */
  readonly down: TestChannel;
}

/** A primary and `count` workers on one manual clock, all with the same config (and admission draws from `random`). */
export function testGroup(input: HeadroomConfigInput, count: number, random?: () => number) {
  const clock = new ManualClock(1_700_000_000_000);
  const config = configOf(input);
  const primary = new Agent({ config, clock, loadSampler: new ScriptedLoad(), random });
  const downs = new Map<number, TestChannel>();
  const hub = new ClusterHub(primary, (id, message) => downs.get(id)?.send(message, () => {}));
  const workers: TestWorker[] = [];
  for (let id = 1; id <= count; id++) {
    const load = new ScriptedLoad();
    const followed = { factor: 1 };
    const agent = new Agent({ config, clock, loadSampler: load, budgetLoad: followed, random });
    const up = new TestChannel((message) => hub.receive(id, message));
    const link = new WorkerLink({ agent, outbox: new Outbox(up), followedLoad: followed, loadSampler: load });
    const down = new TestChannel((message) => link.receive(message));
    downs.set(id, down);
    workers.push({ id, agent, link, load, followed, up, down });
  }
  /** Delivers everything in flight, both ways. */
  const flush = () => {
    for (const worker of workers) {
      worker.up.flush();
      worker.down.flush();
    }
  };
  return { clock, primary, hub, workers, flush };
}
