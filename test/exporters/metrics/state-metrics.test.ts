import { describe, expect, it } from 'vitest';
import { HeadroomMetricProducer, stateMetrics } from '../../../exporters/metrics/index.ts';
import { exposition } from '../../../exporters/prometheus/index.ts';
import { testAgent } from '../../helpers/agent.ts';
import { family } from './families.ts';

async function exposed(view: Parameters<typeof stateMetrics>[0]): Promise<string> {
  const producer = new HeadroomMetricProducer({ agent: testAgent().agent, maxSeries: 100 });
  producer.addSource(stateMetrics(view));
  return exposition(producer);
}

describe('state store metrics', () => {
  it('should expose the store mode as a state set and the checkpoint counters', async () => {
    const text = await exposed(() => ({
      mode: 'persistent',
      checkpoints: { written: 12, failed: 0, enabled: true, bytes: 34_567, lastDurationMs: 2.5 },
    }));
    expect(
      [
        'headroom_state_store_mode',
        'headroom_state_checkpoints_enabled',
        'headroom_state_checkpoints_total',
        'headroom_state_checkpoint_failures_total',
        'headroom_state_checkpoint_bytes_total',
        'headroom_state_checkpoint_duration_seconds',
      ].flatMap((name) => family(text, name).filter((line) => !line.startsWith('#'))),
    ).toEqual([
      'headroom_state_store_mode{mode="persistent"} 1',
      'headroom_state_store_mode{mode="opening"} 0',
      'headroom_state_store_mode{mode="memory_locked"} 0',
      'headroom_state_store_mode{mode="memory_unavailable"} 0',
      'headroom_state_checkpoints_enabled 1',
      'headroom_state_checkpoints_total 12',
      'headroom_state_checkpoint_failures_total 0',
      'headroom_state_checkpoint_bytes_total 34567',
      'headroom_state_checkpoint_duration_seconds 0.0025',
    ]);
    expect(family(text, 'headroom_state_checkpoint_duration_seconds').slice(0, 3)).toEqual([
      '# HELP headroom_state_checkpoint_duration_seconds How long the last state checkpoint written took (one write transaction).',
      '# UNIT headroom_state_checkpoint_duration_seconds seconds',
      '# TYPE headroom_state_checkpoint_duration_seconds gauge',
    ]);
  });

  it('should say checkpoints are off and zero the counters while the service runs in memory', async () => {
    const text = await exposed(() => ({ mode: 'memory_locked' }));
    expect(text).toContain('headroom_state_store_mode{mode="memory_locked"} 1');
    expect(text).toContain('headroom_state_checkpoints_enabled 0');
    expect(text).toContain('headroom_state_checkpoints_total 0');
    expect(family(text, 'headroom_state_checkpoint_duration_seconds')).toEqual([]);
  });
});
