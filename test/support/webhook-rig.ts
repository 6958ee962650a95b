import { Webhook } from 'standardwebhooks';
import { EVENT_STATUSES } from '../../src/webhooks/events';
import { harness, minimal, type Harness, type HarnessOptions } from './harness';
import { pollUntil } from './poll';
import { receiver, type Receiver } from './receiver';
import { switchRig, type SwitchRig } from './switch';

/** Every status a callback may ask for. */
export const ALL_EVENTS = EVENT_STATUSES;

/** A fast retry schedule for tests: the same rules, milliseconds instead of minutes. */
export const FAST = { scheduleMs: [50, 100, 200], jitter: 0, pollMs: 20 };

export type WebhookRig = {
  rig: SwitchRig;
  h: Harness;
  rx: Receiver;
  acct: Awaited<ReturnType<Harness['account']>>;
  /** Creates a configuration (its status_callback defaults to the receiver, every event) and returns its URL. */
  configure(extra?: Record<string, unknown>): Promise<string>;
  /** Connects and returns the call id. */
  connect(configUrl: string, contact?: string, extra?: Record<string, unknown>): Promise<string>;
  /** The account's deliveries through the API. */
  deliveries(query?: string): Promise<Array<Record<string, unknown>>>;
  /** The account's signing secret through the API. */
  secret(): Promise<string>;
  close(): Promise<void>;
};

/** The fake switch, the service with webhooks, a receiver and an account. */
export async function webhookRig(opts: HarnessOptions = {}): Promise<WebhookRig> {
  const rig = await switchRig({ speed: 20 });
  const rx = await receiver();
  const h = harness({
    esl: rig.esl,
    now: () => new Date(),
    ...opts,
    webhooks: { ...opts.webhooks, options: { ...FAST, ...opts.webhooks?.options } },
  });
  const acct = await h.account();
  const auth = (req: import('supertest').Test) => req.set('X-Auth-Token', acct.token);
  return {
    rig,
    h,
    rx,
    acct,
    async configure(extra = {}) {
      const res = await auth(h.http.put(`/v2/accounts/${acct.id}/clicktocall`))
        .send(minimal({ status_callback: { url: rx.url, events: ALL_EVENTS }, ...extra }))
        .expect(201);
      return `/v2/accounts/${acct.id}/clicktocall/${res.body.data.id as string}`;
    },
    async connect(configUrl, contact = '+15551234567', extra = {}) {
      const res = await auth(h.http.post(`${configUrl}/connect`))
        .send({ data: { contact, ...extra } })
        .expect(202);
      return res.body.data.call_id as string;
    },
    async deliveries(query = '') {
      const res = await auth(h.http.get(`/v2/accounts/${acct.id}/webhook_deliveries${query}`)).expect(200);
      return res.body.data as Array<Record<string, unknown>>;
    },
    async secret() {
      const res = await auth(h.http.get(`/v2/accounts/${acct.id}/webhook_secret`)).expect(200);
      return res.body.data.secret as string;
    },
    async close() {
      // Read through the service, the account's secret joins the secrets the log scan looks for.
      await auth(h.http.get(`/v2/accounts/${acct.id}/webhook_secret`));
      await h.close();
      await rig.close();
      await rx.close();
    },
  };
}

/** Waits until the call's final event was delivered; returns the statuses delivered for it, in arrival order. */
export async function deliveredStatuses(rx: Receiver, callId: string, final: string): Promise<string[]> {
  const ofCall = () => rx.delivered.filter((d) => d.json.data.call_id === callId);
  await pollUntil(
    `${final} delivered for ${callId}`,
    () => ofCall().some((d) => d.json.data.status === final),
    {
      timeoutMs: 10_000,
    },
  );
  return ofCall().map((d) => d.json.data.status);
}

/** Verifies a delivery with the standardwebhooks library, as a receiver does; throws when it does not verify. */
export const verify = (secret: string, d: { body: string; headers: Record<string, string> }): unknown =>
  new Webhook(secret).verify(d.body, d.headers);
