/**
 * Conformance with Kazoo's own artifacts (test/conformance/kazoo/NOTICE.md): Kazoo's clicktocall schema and its
 * property test's sequence, run against the app. Kazoo's documented examples (the API document's requests and
 * answers) are replayed request for request by test/ops/kazoo-compat.test.ts. Where the service departs from
 * Kazoo on purpose, the README says so (Kazoo: what differs, and why).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { accountFixture } from '../support/api-fixtures';

const KAZOO = path.resolve(__dirname, '..', '..', '..', 'test', 'conformance', 'kazoo');

type JsonSchema = {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  required?: string[];
  enum?: unknown[];
};

const kazooSchema = JSON.parse(fs.readFileSync(path.join(KAZOO, 'clicktocall.json'), 'utf8')) as JsonSchema;

/** Every property of Kazoo's schema, nested ones by their dotted path, with its declared type. */
function leaves(schema: JsonSchema, prefix = ''): Array<{ path: string; type: string | string[] }> {
  return Object.entries(schema.properties ?? {}).flatMap(([key, sub]) => {
    const at = `${prefix}${key}`;
    const own = { path: at, type: sub.type ?? 'object' };
    return sub.properties ? [own, ...leaves(sub, `${at}.`)] : [own];
  });
}

/** A value Kazoo's schema accepts for each property, chosen to be safe to pass to a switch. */
const SAMPLES: Record<string, unknown> = {
  auth_required: false,
  bypass_media: 'auto',
  caller_id_number: '+15550001111',
  custom_application_vars: { lead: '42', 'utm.source': 'mail' },
  custom_sip_headers: { out: { 'X-Out': 'b' }, in: { 'X-In': 'c' } },
  dial_first: 'contact',
  extension: '2600',
  media: { ignore_early_media: false },
  'media.ignore_early_media': false,
  music_on_hold: { media_id: 'local_stream://moh' },
  'music_on_hold.media_id': 'local_stream://moh',
  name: 'Sales line',
  outbound_callee_id_name: 'Acme',
  outbound_callee_id_number: '+15559990000',
  presence_id: '2600@acme.example',
  ringback: 'us-ring',
  throttle: 10,
  timeout: 20,
  whitelist: ['^\\+1'],
};

/** A value of the wrong JSON type for a Kazoo type (none of Kazoo's coercions applies to it). */
function wrongFor(type: string | string[]): unknown {
  const types = Array.isArray(type) ? type : [type];
  if (types.includes('string')) return 42;
  if (types.includes('boolean')) return 'maybe';
  if (types.includes('integer')) return true;
  return 'not an object';
}

/** Sets a dotted path in a fresh copy of a document. */
function withValue(doc: Record<string, unknown>, dotted: string, value: unknown): Record<string, unknown> {
  const copy = structuredClone(doc);
  const keys = dotted.split('.');
  let node = copy;
  for (const key of keys.slice(0, -1)) {
    const next: Record<string, unknown> = { ...((node[key] as Record<string, unknown> | undefined) ?? {}) };
    node[key] = next;
    node = next;
  }
  node[keys.at(-1)!] = value;
  return copy;
}

describe("Kazoo conformance: Kazoo's schema and property test against the app", function () {
  this.timeout(20_000);
  const f = accountFixture();
  const base = () => f.base;

  const put = (data: unknown) => f.h.http.put(base()).set('X-Auth-Token', f.acct.token).send({ data });

  describe("Kazoo's schema", () => {
    it('when Kazoo has a property, then the service knows it and a value Kazoo accepts is stored and returned unchanged', async () => {
      const missing = leaves(kazooSchema)
        .map((l) => l.path)
        .filter((p) => !(p in SAMPLES));
      expect(missing, 'a property of Kazoo without a sample here').to.deep.equal([]);
      const doc = Object.fromEntries(Object.keys(kazooSchema.properties ?? {}).map((k) => [k, SAMPLES[k]]));
      const created = await put(doc).expect(201);
      const fetched = await f.h.http
        .get(`${base()}/${created.body.data.id as string}`)
        .set('X-Auth-Token', f.acct.token)
        .expect(200);
      expect(fetched.body.data).to.deep.include(doc);
    });

    for (const { path: at, type } of leaves(kazooSchema)) {
      it(`when ${at} has the wrong type, then 400 at ${at} with rule type, Kazoo's message and target`, async () => {
        const wrong = wrongFor(type);
        const res = await put(withValue({ name: 'Sales', extension: '2600' }, at, wrong)).expect(400);
        const types = Array.isArray(type) ? type.join(', ') : type;
        expect(res.body).to.include({ error: '400', message: 'validation error', status: 'error' });
        expect(res.body.data[at]?.type, JSON.stringify(res.body.data)).to.deep.include({
          message: `Value did not match type(s): ${types}`,
          target: types,
        });
      });
    }

    for (const key of kazooSchema.required ?? []) {
      it(`when ${key} (required by Kazoo) is missing, then 400 ${key}.required`, async () => {
        const doc: Record<string, unknown> = { name: 'Sales', extension: '2600' };
        delete doc[key];
        const res = await put(doc).expect(400);
        expect(res.body.data[key]?.required).to.include({ message: 'Field is required but missing' });
      });
    }

    it("when integers and booleans come as strings, then they are coerced as Kazoo's validator does", async () => {
      const res = await put({
        name: 'Sales',
        extension: '2600',
        throttle: '45',
        timeout: '4.5',
        auth_required: 'false',
      }).expect(201);
      expect(res.body.data).to.include({ throttle: 45, timeout: 5, auth_required: false });
    });
  });

  describe("Kazoo's property test sequence", () => {
    it('when created, patched with a custom key, listed and deleted, then the list goes from empty to the one and back', async () => {
      for (let round = 0; round < 5; round += 1) {
        const empty = await f.h.http.get(base()).set('X-Auth-Token', f.acct.token).expect(200);
        expect(empty.body.data).to.deep.equal([]);
        const name = crypto.randomBytes(4).toString('hex');
        const created = await put({ name, extension: '2600' }).expect(201);
        const id = created.body.data.id as string;
        const patched = await f.h.http
          .patch(`${base()}/${id}`)
          .set('X-Auth-Token', f.acct.token)
          .send({ data: { custom: 'value' } })
          .expect(200);
        expect(patched.body.data).to.include({ custom: 'value', name, extension: '2600' });
        const one = await f.h.http.get(base()).set('X-Auth-Token', f.acct.token).expect(200);
        expect(one.body.data.map((c: { id: string }) => c.id)).to.deep.equal([id]);
        await f.h.http.delete(`${base()}/${id}`).set('X-Auth-Token', f.acct.token).expect(200);
        const again = await f.h.http.get(base()).set('X-Auth-Token', f.acct.token).expect(200);
        expect(again.body.data).to.deep.equal([]);
      }
    });
  });
});
