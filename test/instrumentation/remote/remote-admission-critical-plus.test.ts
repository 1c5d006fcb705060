/** review15 F11: the remote client never rejects CRITICAL_PLUS, even when a stream says it should. */
import { describe, expect, it } from 'vitest';
import { RemoteAdmission } from '../../../instrumentation/remote/remote-admission.ts';

const at = (probability: number) => ({ probability, minProbability: 0 });

describe('RemoteAdmission', () => {
  it('should admit CRITICAL_PLUS even when the held state gives it a probability', () => {
    const admission = new RemoteAdmission({ namespace: '', service: 'checkout' }, () => 0);
    const state = {
      service: 'checkout',
      enabled: true,
      retryAfterMs: 1000,
      instanceId: 'agent-1',
      classes: { CRITICAL_PLUS: at(1), CRITICAL: at(1), SHEDDABLE_PLUS: at(0), SHEDDABLE: at(0) },
    };
    expect(admission.applyState(JSON.stringify(state))).toBe(true);
    expect(admission.admit('CRITICAL_PLUS', true)).toEqual({ admitted: true, criticality: 'CRITICAL_PLUS' });
    expect(admission.admit('CRITICAL', true)).toMatchObject({ admitted: false, criticality: 'CRITICAL' });
  });
});
