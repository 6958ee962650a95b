import Ajv2020 from 'ajv/dist/2020';
import { expect } from 'chai';
import { harness, type Harness } from '../support/harness';
import type { Express } from 'express';
import { CLICKTOCALL_SCHEMA } from '../../src/clicktocall/clicktocall-schema';
import { ERROR_CATALOGUE } from '../../src/errors';
import { ROUTE_METHODS } from '../../src/http/route-table';
import { envelopeMeta } from '../../src/runtime';
import { buildOpenApiDocument } from '../../src/http/openapi';
import { switchRig, type SwitchRig } from '../support/switch';

type Doc = {
  openapi: string;
  paths: Record<string, Record<string, Record<string, unknown>>>;
  components: Record<string, Record<string, Record<string, unknown>>>;
};

const VERBS = ['get', 'put', 'post', 'patch', 'delete', 'options'];

/** A path's verbs in the route table; a public link's paths answer their own CORS pre-flight (OPTIONS) too. */
const verbsOf = (r: (typeof ROUTE_METHODS)[number]): string[] => [
  ...r.methods,
  ...(r.ownCors ? ['OPTIONS'] : []),
];

/** `/v2/accounts/{account_id}/x` → `/v2/accounts/{}/x`, and Express's `:accountId` alike. */
const shape = (path: string): string => path.replace(/\{[^}]+\}|:[A-Za-z_]+/g, '{}');

/** A concrete path for a template, to test against the route table's patterns. */
const sample = (path: string): string => path.replace(/\{[^}]+\}/g, 'x1');

function documentRoutes(doc: Doc): string[] {
  return Object.entries(doc.paths)
    .flatMap(([path, item]) =>
      Object.keys(item)
        .filter((k) => VERBS.includes(k))
        .map((verb) => `${verb.toUpperCase()} ${shape(path)}`),
    )
    .sort();
}

/** The routes Express actually serves: the app's router and every router mounted on it. */
function expressRoutes(app: Express): string[] {
  type Layer = { route?: { path: string; methods: Record<string, boolean> }; handle?: { stack?: Layer[] } };
  const found: string[] = [];
  const walk = (stack: Layer[]): void => {
    for (const layer of stack) {
      if (layer.route)
        for (const verb of Object.keys(layer.route.methods))
          found.push(`${verb.toUpperCase()} ${shape(layer.route.path)}`);
      else if (layer.handle?.stack) walk(layer.handle.stack);
    }
  };
  walk((app as unknown as { router: { stack: Layer[] } }).router.stack);
  return found.sort();
}

/** Validates `value` against one of the document's component schemas (its $refs resolved in the document). */
function conformsTo(doc: Doc, schema: string, value: unknown): string[] {
  const ajv = new Ajv2020({ strict: false, validateFormats: false, allErrors: true });
  ajv.addSchema({ $id: 'openapi.json', components: doc.components });
  const validate = ajv.compile({ $ref: `openapi.json#/components/schemas/${schema}` });
  return validate(value) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ''}`);
}

const enveloped = (doc: Doc, data: string, body: unknown): string[] => [
  ...conformsTo(doc, 'Envelope', body),
  ...conformsTo(doc, data, (body as { data: unknown }).data),
];

describe('OpenAPI document (GET /v2/openapi.json)', () => {
  let rig: Harness;
  let doc: Doc;

  before(async () => {
    rig = harness({ metrics: true });
    const res = await rig.http
      .get('/v2/openapi.json')
      .expect(200)
      .expect('Content-Type', /application\/json/);
    doc = res.body as Doc;
  });

  it('when served, then a standard OpenAPI 3.1 validator accepts it', async () => {
    const { Validator } = await import('@seriousme/openapi-schema-validator');
    const validator = new Validator();
    const result = await validator.validate(doc);
    expect(result.errors, JSON.stringify(result.errors)).to.equal(undefined);
    expect(result.valid).to.equal(true);
    expect(validator.version).to.equal('3.1');
  });

  it('when served, then it is the document built from the tables, needing no token', () => {
    expect(doc).to.deep.equal(
      JSON.parse(JSON.stringify(buildOpenApiDocument({ version: envelopeMeta().version }))),
    );
    expect(doc.openapi).to.equal('3.1.0');
  });

  it("when compared with the route table's paths and verbs (ROUTE_METHODS), then every path and verb is in both", () => {
    const table = ROUTE_METHODS.flatMap((r) => verbsOf(r).map((m) => `${m} ${shape(r.path)}`)).sort();
    expect(documentRoutes(doc)).to.deep.equal(table);
    for (const [path, item] of Object.entries(doc.paths)) {
      const matching = ROUTE_METHODS.filter((r) => r.pattern.test(sample(path)));
      expect(matching, path).to.have.length(1);
      const verbs = Object.keys(item).filter((k) => VERBS.includes(k));
      expect(verbs.map((v) => v.toUpperCase()).sort(), path).to.deep.equal(verbsOf(matching[0]!).sort());
    }
  });

  it("when compared with the Express router's actual routes, then every path and verb is in both", () => {
    expect(documentRoutes(doc)).to.deep.equal(expressRoutes(rig.app));
  });

  it('when generated, then the configuration schema is CLICKTOCALL_SCHEMA without our x- keywords', () => {
    const config = doc.components['schemas']!['ClickToCallConfiguration'] as {
      properties: Record<string, Record<string, unknown>>;
      required: string[];
    };
    expect(Object.keys(config.properties)).to.deep.equal(Object.keys(CLICKTOCALL_SCHEMA.properties));
    expect(config.required).to.deep.equal(CLICKTOCALL_SCHEMA.required);
    expect(config.properties['name']).to.include({ type: 'string', minLength: 1, maxLength: 128 });
    expect(config.properties['throttle']).to.include({ minimum: 0, maximum: 100000 });
    expect((config.properties['whitelist']!['items'] as object)['format' as keyof object]).to.equal('regex');
    // Every custom ajv keyword is translated (src/http/openapi-schemas.ts): a new one fails here until it is.
    expect(JSON.stringify(doc.components['schemas'])).not.to.match(/"x-[a-z-]+":|"\$id"/);
  });

  it('when generated, then each error status has its envelope with the catalogue messages', () => {
    for (const { status, message } of Object.values(ERROR_CATALOGUE)) {
      const schema = doc.components['schemas']![`Error${status}`] as {
        properties: { error: { const: string }; message: { const?: string; enum?: string[] } };
      };
      expect(schema, String(status)).to.not.equal(undefined);
      expect(schema.properties.error.const).to.equal(String(status));
      const messages = schema.properties.message.enum ?? [schema.properties.message.const];
      expect(messages).to.include(message);
      expect(doc.components['responses']![`Error${status}`]).to.not.equal(undefined);
    }
    const connect = doc.paths['/v2/accounts/{account_id}/clicktocall/{clicktocall_id}/connect']!['get']!;
    expect(Object.keys(connect['responses'] as object)).to.include.members([
      '200',
      '202',
      '400',
      '401',
      '429',
      '503',
    ]);
  });

  it('when generated, then the query parameters, auth schemes and bodies are described', () => {
    const names = Object.values(doc.components['parameters']!).map((p) => p['name']);
    expect(names).to.include.members([
      'page_size',
      'start_key',
      'paginate',
      'filters',
      'created_from',
      'created_to',
      'contact',
      'blocking',
      'If-Match',
      'X-Request-ID',
    ]);
    const filters = doc.components['parameters']!['Filters']!;
    expect(filters).to.include({ in: 'query', style: 'form', explode: true });
    expect(doc.components['securitySchemes']!['AuthToken']).to.include({
      in: 'header',
      name: 'X-Auth-Token',
    });
    expect(doc.components['securitySchemes']!['BearerToken']).to.include({ type: 'http', scheme: 'bearer' });
    const bodies = {
      '/v2/api_auth': 'put',
      '/v2/accounts/{account_id}/clicktocall': 'put',
      '/v2/accounts/{account_id}/clicktocall/{clicktocall_id}': 'patch',
      '/v2/accounts/{account_id}/clicktocall/{clicktocall_id}/connect': 'post',
      '/v2/accounts/{account_id}/channels/{call_id}': 'post',
    };
    for (const [path, verb] of Object.entries(bodies))
      expect(doc.paths[path]![verb]!['requestBody'], `${verb} ${path}`).to.not.equal(undefined);
  });

  describe('when real answers are checked against it', () => {
    let sw: SwitchRig;
    let live: Harness;

    before(async () => {
      sw = await switchRig({ speed: 20 });
      live = harness({ esl: sw.esl, metrics: true });
    });
    after(() => sw.close());

    it('then api_auth, create, list, connect, history, errors and health conform', async () => {
      const acct = await live.account();
      const auth = await live.http
        .put('/v2/api_auth')
        .send({ data: { api_key: acct.apiKey } })
        .expect(201);
      expect(enveloped(doc, 'ApiAuthResult', auth.body)).to.deep.equal([]);

      const T = { 'X-Auth-Token': acct.token };
      const base = `/v2/accounts/${acct.id}/clicktocall`;
      const created = await live.http
        .put(base)
        .set(T)
        .send({ data: { name: 'Sales', extension: '2600', whitelist: ['^\\+1'], timeout: 20 } })
        .expect(201);
      expect(enveloped(doc, 'ClickToCall', created.body)).to.deep.equal([]);
      const id = created.body.data.id as string;

      const list = await live.http.get(base).set(T).expect(200);
      expect(conformsTo(doc, 'ClickToCallSummary', list.body.data[0])).to.deep.equal([]);

      const connect = await live.http.get(`${base}/${id}/connect?contact=%2B15551234567`).set(T).expect(202);
      expect(enveloped(doc, 'Originate', connect.body)).to.deep.equal([]);

      const history = await live.http.get(`${base}/${id}/history`).set(T).expect(200);
      expect(conformsTo(doc, 'HistoryRecord', history.body.data[0])).to.deep.equal([]);

      const bad = await live.http
        .put(base)
        .set(T)
        .send({ data: { name: '' } })
        .expect(400);
      expect(conformsTo(doc, 'Error400', bad.body)).to.deep.equal([]);
      const unauth = await live.http.get(base).expect(401);
      expect(conformsTo(doc, 'Error401', unauth.body)).to.deep.equal([]);

      expect(conformsTo(doc, 'HistoryRecord', { id: 'nope' })).to.not.deep.equal([]);
      expect(conformsTo(doc, 'Error401', bad.body)).to.not.deep.equal([]);

      const health = await live.http.get('/health').expect(200);
      expect(enveloped(doc, 'Health', health.body)).to.deep.equal([]);
    });

    it("then a link's create, list, public view, connect, status and 410 conform", async () => {
      const acct = await live.account();
      const T = { 'X-Auth-Token': acct.token };
      const base = `/v2/accounts/${acct.id}/clicktocall`;
      const id = (
        await live.http
          .put(base)
          .set(T)
          .send({ data: { name: 'Shop', extension: '2600' } })
          .expect(201)
      ).body.data.id as string;
      const origin = 'https://shop.example';
      const created = await live.http
        .put(`${base}/${id}/links`)
        .set(T)
        .send({ data: { expires_in: 600, max_calls: 1, origins: [origin], contact_prefixes: ['+1'] } })
        .expect(201);
      expect(enveloped(doc, 'LinkCreated', created.body)).to.deep.equal([]);
      const token = created.body.data.token as string;
      const list = await live.http.get(`${base}/${id}/links`).set(T).expect(200);
      expect(conformsTo(doc, 'Link', list.body.data[0])).to.deep.equal([]);
      const described = await live.http.get(`/v2/links/${token}`).set('Origin', origin).expect(200);
      expect(enveloped(doc, 'PublicLink', described.body)).to.deep.equal([]);
      const placed = await live.http
        .post(`/v2/links/${token}/connect`)
        .set('Origin', origin)
        .send({ contact: '+15551234567' })
        .expect(202);
      expect(enveloped(doc, 'LinkConnected', placed.body)).to.deep.equal([]);
      const status = await live.http
        .get(`/v2/links/${token}/calls/${placed.body.data.status_token as string}`)
        .set('Origin', origin)
        .expect(200);
      expect(enveloped(doc, 'PublicCallStatus', status.body)).to.deep.equal([]);
      const gone = await live.http
        .post(`/v2/links/${token}/connect`)
        .set('Origin', origin)
        .send({})
        .expect(410);
      expect(conformsTo(doc, 'Error410', gone.body)).to.deep.equal([]);
    });
  });
});
