/**
 * The switch set alone (src/switches/switch-set.ts), over stub links: which switch a new call goes to, and when a
 * switch leaves and rejoins the rotation.
 */
import { expect } from 'chai';
import type { SwitchPort } from '../../src/calls/switch-port';
import { SwitchSet } from '../../src/switches/switch-set';
import { pollUntil } from '../support/poll';

/** A link whose state and `status` answer the test sets. */
type StubLink = SwitchPort & { connected: boolean; sessions: number; silent: boolean; probes: number };

function stubLink(): StubLink {
  const link: StubLink = {
    connected: true,
    sessions: 0,
    silent: false,
    probes: 0,
    bgapi: (_c, o) => Promise.resolve({ jobUuid: o.jobUuid }),
    waitForJob: () => Promise.resolve({ ok: true, result: '' }),
    api(command) {
      if (command !== 'status') return Promise.reject(new Error('not stubbed'));
      link.probes += 1;
      // A silent switch never answers (as a stalled FreeSWITCH): the probe stays in flight.
      if (link.silent) return new Promise<string>(() => undefined);
      return Promise.resolve(`UP 0 years\n${link.sessions} session(s) - peak 3, last 5min 1\n`);
    },
    on: () => undefined,
  };
  return link;
}

const tally = (set: SwitchSet, n: number): Record<string, number> => {
  const count: Record<string, number> = {};
  for (let i = 0; i < n; i += 1) {
    const name = set.choose()?.name ?? 'none';
    count[name] = (count[name] ?? 0) + 1;
  }
  return count;
};

describe('switches: the switch set', () => {
  let sets: SwitchSet[] = [];
  const make = (...args: ConstructorParameters<typeof SwitchSet>): SwitchSet => {
    const set = new SwitchSet(...args);
    sets.push(set);
    return set;
  };
  afterEach(() => {
    for (const set of sets) set.stop();
    sets = [];
  });

  it('when switches are up, then new calls are shared by weight', () => {
    const set = make([
      { name: 'fs1', weight: 3, link: stubLink() },
      { name: 'fs2', weight: 1, link: stubLink() },
    ]);
    expect(tally(set, 400)).to.deep.equal({ fs1: 300, fs2: 100 });
  });

  it('when a switch reports more sessions, then calls go to the other until their loads per weight meet', async () => {
    const busy = stubLink();
    const idle = stubLink();
    busy.sessions = 10;
    const set = make(
      [
        { name: 'busy', weight: 1, link: busy },
        { name: 'idle', weight: 1, link: idle },
      ],
      { probeIntervalMs: 10 },
    );
    set.start();
    await pollUntil('both probed', () => set.status().find((s) => s.name === 'busy')?.load === 10);
    set.stop();
    // 10 to the idle one bring it level; then they alternate.
    expect(tally(set, 10)).to.deep.equal({ idle: 10 });
    expect(tally(set, 4)).to.deep.equal({ busy: 2, idle: 2 });
  });

  it('when a socket drops, then its switch is out at once and back once connected', () => {
    const a = stubLink();
    const b = stubLink();
    const set = make([
      { name: 'a', weight: 1, link: a },
      { name: 'b', weight: 1, link: b },
    ]);
    a.connected = false;
    expect(tally(set, 6)).to.deep.equal({ b: 6 });
    expect(set.up('a')).to.equal(false);
    b.connected = false;
    expect(set.choose()).to.equal(undefined);
    expect(set.anyUp).to.equal(false);
    a.connected = true;
    expect(set.choose()?.name).to.equal('a');
  });

  it('when a switch stops answering, then it leaves the rotation after the probe timeout and returns when it answers', async () => {
    const a = stubLink();
    const b = stubLink();
    const set = make(
      [
        { name: 'a', weight: 1, link: a },
        { name: 'b', weight: 1, link: b },
      ],
      { probeIntervalMs: 20, probeTimeoutMs: 100 },
    );
    set.start();
    await pollUntil('probed', () => a.probes > 0 && b.probes > 0);
    a.silent = true;
    const silentFrom = Date.now();
    await pollUntil('a out of rotation', () => !set.up('a'), { timeoutMs: 5000 });
    // Never before the timeout: one slow answer does not take a switch out.
    expect(Date.now() - silentFrom).to.be.at.least(100);
    expect(tally(set, 4)).to.deep.equal({ b: 4 });
    expect(set.status().find((s) => s.name === 'a')).to.include({ up: false, connected: true });
    // It answers again: the silent probe is given up and the next one answered.
    a.silent = false;
    await pollUntil('a back', () => set.up('a'), { timeoutMs: 5000 });
    expect(tally(set, 4)).to.deep.equal({ a: 2, b: 2 });
  });

  it('when there is one switch, then it is never probed (its own timeouts tell, as before)', async () => {
    const only = stubLink();
    const set = make([{ name: 'default', weight: 1, link: only }], { probeIntervalMs: 5 });
    set.start();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(only.probes).to.equal(0);
    expect(set.choose()?.name).to.equal('default');
  });

  it('when names repeat or none is given, then the set refuses to be built', () => {
    expect(() => new SwitchSet([])).to.throw(/at least one/);
    expect(
      () =>
        new SwitchSet([
          { name: 'x', weight: 1, link: stubLink() },
          { name: 'x', weight: 1, link: stubLink() },
        ]),
    ).to.throw(/two switches are named x/);
  });

  it('a record without a switch name was carried by the first configured', () => {
    const first = stubLink();
    const set = make([
      { name: 'fs1', weight: 1, link: first },
      { name: 'fs2', weight: 1, link: stubLink() },
    ]);
    expect(set.nameOf(undefined)).to.equal('fs1');
    expect(set.link(undefined)).to.equal(first);
    expect(set.link('nope')).to.equal(undefined);
  });
});
