/**
 * The rig of the link tests: the runtime over a fake switch, an account with a configuration, and helpers that
 * speak to the public side as a browser page of an origin would.
 */
import type supertest from 'supertest';
import { harness, type Harness, type HarnessOptions } from '../support/harness';
import { switchRig, type SwitchRig } from '../support/switch';

export const SHOP = 'https://shop.example';
export const EXTENSION = '4711';

export type LinkRig = {
  sw: SwitchRig;
  h: Harness;
  clock: { now: Date };
  account: { id: string; token: string };
  configId: string;
  linksUrl: string;
  /** Creates a link (201 expected) and returns the answer's data. */
  createLink(data: Record<string, unknown>): Promise<Record<string, unknown> & { id: string; token: string }>;
  /** The public connect, from a page of `origin` (default the shop); a null contact sends none. */
  connect(token: string, contact?: unknown, origin?: string | null): supertest.Test;
  /** The bgapi originates the switch has received. */
  originates(): number;
  close(): Promise<void>;
};

export async function linkRig(
  opts: { config?: Record<string, unknown> } & Pick<
    HarnessOptions,
    'trustProxy' | 'anonConnectsPerMinute' | 'publicUrl'
  > = {},
): Promise<LinkRig> {
  const sw = await switchRig();
  const clock = { now: new Date() };
  const { config, ...harnessOpts } = opts;
  const h = harness({ esl: sw.esl, now: () => clock.now, ...harnessOpts });
  const account = await h.account();
  const created = await h.http
    .put(`/v2/accounts/${account.id}/clicktocall`)
    .set('X-Auth-Token', account.token)
    .send({ data: { name: 'Shop', extension: EXTENSION, ...config } })
    .expect(201);
  const configId = created.body.data.id as string;
  const linksUrl = `/v2/accounts/${account.id}/clicktocall/${configId}/links`;
  return {
    sw,
    h,
    clock,
    account,
    configId,
    linksUrl,
    async createLink(data) {
      const res = await h.http.put(linksUrl).set('X-Auth-Token', account.token).send({ data }).expect(201);
      return res.body.data as Record<string, unknown> & { id: string; token: string };
    },
    connect(token, contact = '+15551234567', origin = SHOP) {
      const req = h.http.post(`/v2/links/${token}/connect`);
      if (origin !== null) req.set('Origin', origin);
      return req.send(contact === null ? {} : { contact });
    },
    originates: () => sw.fake.commands.filter((c) => c.startsWith('bgapi originate')).length,
    async close() {
      await h.close();
      await sw.close();
    },
  };
}
