import { harness, minimal, type Harness } from './harness';
import { switchRig, type SwitchRig } from './switch';

/** What an API test works with: the service (no switch) and one account, new for every test. */
export type AccountFixture = {
  readonly h: Harness;
  readonly acct: Awaited<ReturnType<Harness['account']>>;
  /** `/v2/accounts/<the account>/clicktocall`. */
  readonly base: string;
};

/** Registers, in the calling `describe`, the service over an empty database with one account, new for each test. */
export function accountFixture(): AccountFixture {
  let h: Harness | undefined;
  let acct: AccountFixture['acct'] | undefined;
  beforeEach(async () => {
    h = harness();
    acct = await h.account();
  });
  afterEach(() => h?.close());
  return {
    get h() {
      return must(h);
    },
    get acct() {
      return must(acct);
    },
    get base() {
      return `/v2/accounts/${must(acct).id}/clicktocall`;
    },
  };
}

const must = <T>(v: T | undefined): T => {
  if (v === undefined) throw new Error('fixture used outside a test');
  return v;
};

/** What a connect test works with; each field is new for every test. */
export type ConnectFixture = {
  readonly rig: SwitchRig;
  readonly h: Harness;
  readonly acct: Awaited<ReturnType<Harness['account']>>;
  /** Saves a configuration (the minimal one plus `extra`) and returns its URL. */
  configure(extra?: Record<string, unknown>): Promise<string>;
};

/**
 * Registers, in the calling `describe`, a fake switch and the service wired to it with one account, created before
 * each test and closed after it.
 */
export function connectFixture(): ConnectFixture {
  let rig: SwitchRig | undefined;
  let h: Harness | undefined;
  let acct: ConnectFixture['acct'] | undefined;
  beforeEach(async () => {
    rig = await switchRig();
    h = harness({ esl: rig.esl, now: () => new Date() });
    acct = await h.account();
  });
  afterEach(() => rig?.close());
  return {
    get rig() {
      return must(rig);
    },
    get h() {
      return must(h);
    },
    get acct() {
      return must(acct);
    },
    async configure(extra = {}) {
      const a = must(acct);
      const res = await must(h)
        .http.put(`/v2/accounts/${a.id}/clicktocall`)
        .set('X-Auth-Token', a.token)
        .send(minimal(extra))
        .expect(201);
      return `/v2/accounts/${a.id}/clicktocall/${res.body.data.id as string}`;
    },
  };
}
