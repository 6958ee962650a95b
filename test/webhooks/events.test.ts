import { expect } from 'chai';
import { payloadOf, statusEvent, withDefaults } from '../../src/webhooks/events';
import type { WebhookDelivery } from '../../src/store/ports';

const base = {
  account_id: 'a'.repeat(32),
  clicktocall_id: 'c'.repeat(32),
  status_callback: withDefaults({ url: 'https://crm.example.com/h', events: ['ringing', 'completed'] }),
};
const record = (status: string) => ({
  id: 'r'.repeat(32),
  call_id: `c2c-${'c'.repeat(32)}-0000000001`,
  status,
});

describe('webhooks: which change sends an event, and what it says', () => {
  it('when the status is one the callback asks for, then one event of that type, to its URL and method', () => {
    const e = statusEvent(base, record('ringing'), 1234)!;
    expect(e).to.include({
      type: 'call.ringing',
      call_id: record('ringing').call_id,
      url: 'https://crm.example.com/h',
      method: 'POST',
      occurred_ms: 1234,
    });
    expect(e.event_id).to.match(/^evt_[0-9a-f]{32}$/);
    expect(statusEvent(base, record('ringing'), 1234)!.event_id).to.not.equal(e.event_id);
  });

  it('when the status is not asked for, or there is no callback, then no event', () => {
    expect(statusEvent(base, record('answered'), 1)).to.equal(undefined);
    expect(statusEvent({ ...base, status_callback: undefined }, record('completed'), 1)).to.equal(undefined);
  });

  it('when a callback gives no events or method, then the final statuses and POST', () => {
    expect(withDefaults({ url: 'http://x.example/' })).to.deep.equal({
      url: 'http://x.example/',
      method: 'POST',
      events: ['completed', 'busy', 'no_answer', 'failed', 'canceled'],
    });
  });

  it('when the payload is built twice from the stored event, then the same bytes (every attempt signs the same body)', () => {
    const stored: WebhookDelivery = {
      ...statusEvent(base, record('completed'), Date.parse('2026-12-05T10:00:00Z'))!,
      seq: 7,
      sequence: 2,
      state: 'pending',
      attempts: 3,
      next_attempt_ms: 1,
      last_attempt_ms: null,
      last_status: null,
      last_error: null,
      delivered_ms: null,
    };
    const body = payloadOf(stored);
    expect(payloadOf({ ...stored, attempts: 4, last_status: 500 })).to.equal(body);
    expect(JSON.parse(body)).to.deep.equal({
      type: 'call.completed',
      timestamp: '2026-12-05T10:00:00.000Z',
      data: {
        event_id: stored.event_id,
        call_id: stored.call_id,
        account_id: base.account_id,
        clicktocall_id: base.clicktocall_id,
        sequence: 2,
        status: 'completed',
        record: record('completed'),
      },
    });
  });
});
