import { expect } from 'chai';
import { isId, newId, randomHex } from '../../src/ids';

describe('ids: random hex from a pool', () => {
  it('when drawn across several refills of the pool, then each has its length, is hex, and none repeats', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      const id = newId();
      expect(isId(id), id).to.equal(true);
      seen.add(id);
      const five = randomHex(5);
      expect(five).to.match(/^[0-9a-f]{10}$/);
      seen.add(five);
    }
    expect(seen.size).to.equal(4000);
  });

  it('when more bytes are asked than the pool holds, then they come all the same', () => {
    expect(randomHex(5000)).to.match(/^[0-9a-f]{10000}$/);
    expect(randomHex(1)).to.match(/^[0-9a-f]{2}$/);
  });
});
