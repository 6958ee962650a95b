import { expect } from 'chai';
import { deepMerge } from '../../src/clicktocall/merge';

describe('deepMerge (PATCH semantics)', () => {
  it('merges objects key by key, replaces arrays and scalars, deletes on null', () => {
    const base = { a: 1, o: { x: 1, y: 2 }, arr: [1, 2], gone: true };
    expect(deepMerge(base, { a: 2, o: { y: null, z: 3 }, arr: [3], gone: null })).to.deep.equal({
      a: 2,
      o: { x: 1, z: 3 },
      arr: [3],
    });
  });

  it('does not change its inputs', () => {
    const base = { o: { x: 1 } };
    const patch = { o: { x: 2 } };
    deepMerge(base, patch);
    expect(base).to.deep.equal({ o: { x: 1 } });
    expect(patch).to.deep.equal({ o: { x: 2 } });
  });

  it('replaces a scalar by an object, dropping the nulls inside it', () => {
    expect(deepMerge({ m: 'x' }, { m: { a: 1, b: null } })).to.deep.equal({ m: { a: 1 } });
  });
});
