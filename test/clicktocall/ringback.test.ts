import { expect } from 'chai';
import {
  DEFAULT_MEDIA_LOCATION,
  holdMusicProblem,
  mediaLocationProblem,
  RINGBACK_NAMES,
  resolveHoldMusic,
  resolveRingback,
  ringbackProblem,
} from '../../src/clicktocall/ringback';
import { README_RINGBACK_NAMES } from '../support/product-rules';

describe('clicktocall/ringback', () => {
  it('when the product names are looked up, then every one is known', () => {
    for (const name of README_RINGBACK_NAMES) {
      expect(RINGBACK_NAMES, name).to.include(name);
    }
  });

  it('when a name is resolved, then it gives the tone of FreeSWITCH’s vars.xml', () => {
    expect(resolveRingback('us-ring')).to.equal('%(2000,4000,440,480)');
    expect(resolveRingback('uk-ring')).to.equal('%(400,200,400,450);%(400,2000,400,450)');
    expect(resolveRingback('fr-ring')).to.equal('%(1500,3500,440)');
    expect(resolveRingback('de-ring')).to.equal('%(1000,4000,425)');
    expect(resolveRingback('rs-ring')).to.equal('%(1000,4000,425)');
    expect(resolveRingback('ru-ring')).to.equal('%(800,3200,425)');
  });

  it('when a value is not a name, then it is kept as it is', () => {
    expect(resolveRingback('local_stream://moh')).to.equal('local_stream://moh');
    expect(resolveRingback('toString')).to.equal('toString');
    expect(resolveRingback('${toString}')).to.equal('${toString}');
  });

  it('when a name is written as a reference (${us-ring}), then it resolves as the bare name', () => {
    for (const name of RINGBACK_NAMES)
      expect(resolveRingback(`\${${name}}`), name).to.equal(resolveRingback(name));
    expect(resolveRingback('${us-ring}')).to.equal('%(2000,4000,440,480)');
  });

  const accepted = [
    ...RINGBACK_NAMES,
    ...RINGBACK_NAMES.map((name) => `\${${name}}`),
    '%(2000,4000,440,480)',
    '%(1000,4000,425)',
    '%(400,200,400,450);%(400,2000,400,450)',
    '%(100,0,941.0,1477.0)',
    'tone_stream://%(2000,4000,440,480);loops=-1',
    'local_stream://moh',
    'http_cache://https://example.com/ring.wav',
    '/usr/share/freeswitch/sounds/ring.wav',
  ];
  for (const v of accepted) {
    it(`when the ringback is ${JSON.stringify(v)}, then it is accepted`, () => {
      expect(ringbackProblem(v)).to.equal(undefined);
    });
  }

  const refused: Array<[string, RegExp]> = [
    ['${jingle-ring}', /\$\{/],
    ['${US-RING}', /\$\{/],
    ['${ us-ring}', /\$\{/],
    ['${us-ring}x', /\$\{/],
    ['${${us-ring}}', /\$\{/],
    ['$${us-ring}', /\$\{/],
    ['${__proto__}', /\$\{/],
    ['%(2000,4000,${x})', /\$\{/],
    ['US-RING', /tone/],
    ['ring.wav', /tone/],
    ['http://example.com/ring.wav', /tone/],
    ['%(2000)', /tone/],
    ['%(a,b,c)', /tone/],
    ['toString', /tone/],
    ['/tmp/ring\n.wav', /control/],
    [' us-ring', /blank/],
    ['/a}b', /unbalanced/],
    ['local_stream://mod_event_socket', /mod_event_socket/],
    ['', /empty/],
    [`/${'x'.repeat(1024)}`, /longer/],
  ];
  for (const [v, reason] of refused) {
    it(`when the ringback is ${JSON.stringify(v.slice(0, 30))}, then it is refused (${String(reason)})`, () => {
      expect(ringbackProblem(v)).to.match(reason);
    });
  }

  it('when hold music is a path or a media URI, then it is accepted; anything else is refused', () => {
    for (const v of [
      '/var/moh.wav',
      'local_stream://default',
      'tone_stream://%(1,0,440)',
      'http_cache://https://x/y',
      '0123456789abcdef0123456789abcdef',
    ]) {
      expect(holdMusicProblem(v), v).to.equal(undefined);
    }
    for (const v of [
      'moh',
      'us-ring',
      '${hold_music}',
      'local_stream://a\nb',
      '',
      '0123456789ABCDEF0123456789ABCDEF',
      '0123456789abcdef0123456789abcde',
      '0123456789abcdef0123456789abcdef0',
    ]) {
      expect(holdMusicProblem(v), v).to.be.a('string');
    }
  });

  describe('media ids', () => {
    const ACCOUNT = 'a'.repeat(32);
    const MEDIA = '0123456789abcdef0123456789abcdef';

    it('when hold music is a media id, then it becomes its location in the template, both ids filled in', () => {
      expect(resolveHoldMusic(MEDIA, { mediaLocation: DEFAULT_MEDIA_LOCATION, accountId: ACCOUNT })).to.equal(
        `/var/lib/fs-clicktocall/media/${ACCOUNT}/${MEDIA}.wav`,
      );
      expect(
        resolveHoldMusic(MEDIA, {
          mediaLocation: 'http_cache://https://media.example/{account_id}/{media_id}?again={media_id}',
          accountId: ACCOUNT,
        }),
      ).to.equal(`http_cache://https://media.example/${ACCOUNT}/${MEDIA}?again=${MEDIA}`);
    });

    it('when hold music is anything else, then it is returned unchanged', () => {
      for (const v of ['/var/moh.wav', 'local_stream://default', MEDIA.toUpperCase(), `${MEDIA}0`])
        expect(
          resolveHoldMusic(v, { mediaLocation: DEFAULT_MEDIA_LOCATION, accountId: ACCOUNT }),
          v,
        ).to.equal(v);
    });

    it('when the location template is usable, then it has no problem', () => {
      for (const t of [
        DEFAULT_MEDIA_LOCATION,
        '/srv/media/{media_id}.mp3',
        'http_cache://https://media.example/{account_id}/{media_id}',
        'local_stream://{media_id}',
      ])
        expect(mediaLocationProblem(t), t).to.equal(undefined);
    });

    const bad: Array<[string, RegExp]> = [
      ['/srv/media/{account_id}.wav', /\{media_id\}/],
      ['/srv/{media}/{media_id}.wav', /other than/],
      ['media/{media_id}.wav', /absolute/],
      ['http://media.example/{media_id}', /absolute/],
      ['tone_stream://{media_id}', /absolute/],
      ['/srv/${x}/{media_id}', /\$\{/],
      ['/srv/ {media_id} ', /blank/],
      ['/srv/mod_event_socket/{media_id}', /mod_event_socket/],
    ];
    for (const [t, reason] of bad) {
      it(`when the location template is ${JSON.stringify(t)}, then it is refused (${String(reason)})`, () => {
        expect(mediaLocationProblem(t)).to.match(reason);
      });
    }
  });
});
