import { channelValueProblem } from '../../esl';

/**
 * Ringback tones by name, as FreeSWITCH's default configuration defines them (`conf/vanilla/vars.xml`,
 * `<name>-ring`). `it-ring` and `pt-ring` are not in vars.xml: they follow ITU-T E.180 (425 Hz, 1 s on and
 * 4 s / 5 s off), the same form as the other European tones there.
 */
const RINGBACK_TONES: Readonly<Record<string, string>> = Object.freeze({
  'au-ring': '%(400,200,383,417);%(400,2000,383,417)',
  'be-ring': '%(1000,3000,425)',
  'ca-ring': '%(2000,4000,440,480)',
  'cn-ring': '%(1000,4000,450)',
  'cy-ring': '%(1500,3000,425)',
  'cz-ring': '%(1000,4000,425)',
  'de-ring': '%(1000,4000,425)',
  'dk-ring': '%(1000,4000,425)',
  'dz-ring': '%(1500,3500,425)',
  'eg-ring': '%(2000,1000,475,375)',
  'es-ring': '%(1500,3000,425)',
  'fi-ring': '%(1000,4000,425)',
  'fr-ring': '%(1500,3500,440)',
  'hk-ring': '%(400,200,440,480);%(400,3000,440,480)',
  'hu-ring': '%(1250,3750,425)',
  'il-ring': '%(1000,3000,400)',
  'in-ring': '%(400,200,425,375);%(400,2000,425,375)',
  'it-ring': '%(1000,4000,425)',
  'jp-ring': '%(1000,2000,420,380)',
  'ko-ring': '%(1000,2000,440,480)',
  'pk-ring': '%(1000,2000,400)',
  'pl-ring': '%(1000,4000,425)',
  'pt-ring': '%(1000,5000,425)',
  'ro-ring': '%(1850,4150,475,425)',
  'rs-ring': '%(1000,4000,425)',
  'ru-ring': '%(800,3200,425)',
  'sa-ring': '%(1200,4600,425)',
  'tr-ring': '%(2000,4000,450)',
  'uk-ring': '%(400,200,400,450);%(400,2000,400,450)',
  'us-ring': '%(2000,4000,440,480)',
});

/** The ringback names the service resolves itself (FreeSWITCH cannot expand `${us-ring}` in `{}`: h5). */
export const RINGBACK_NAMES: readonly string[] = Object.freeze(Object.keys(RINGBACK_TONES));

/** `${us-ring}`: a reference to a ringback variable, as FreeSWITCH's configuration writes one. */
const REFERENCE = /^\$\{([a-z0-9_-]+)\}$/;

/** The known ringback name `v` is, bare (`us-ring`) or as a reference (`${us-ring}`), or undefined. */
function ringbackName(v: string): string | undefined {
  const name = REFERENCE.exec(v)?.[1] ?? v;
  return Object.hasOwn(RINGBACK_TONES, name) ? name : undefined;
}

/** A Kazoo media id: 32 lowercase hex digits, as Kazoo's document ids. */
const MEDIA_ID = /^[0-9a-f]{32}$/;

const NUMBER = '[0-9]{1,5}(?:\\.[0-9]{1,3})?';
const SEGMENT = `%\\([0-9]{1,5},[0-9]{1,5},${NUMBER}(?:,${NUMBER}){0,3}\\)`;
/** `%(on,off,freq[,freq…])`, several segments joined by `;`. */
const TONE = new RegExp(`^${SEGMENT}(?:;${SEGMENT}){0,7}$`);
/** The same prefixes the configuration schema checks for `music_on_hold.media_id`, with something after them. */
const MEDIA_URI = /^(?:tone_stream|local_stream|http_cache):\/\/./;
const FILE_PATH = /^\/./;

const MAX_RINGBACK_LENGTH = 1024;
const MAX_MEDIA_LENGTH = 2048;

function mediaShapeOk(v: string): boolean {
  return TONE.test(v) || MEDIA_URI.test(v) || FILE_PATH.test(v);
}

/**
 * Why `v` is not a usable `ringback` (docs/originate.md#ringback), or `undefined`: accepted are a tone `%(…)`, a
 * `tone_stream://`, `local_stream://` or `http_cache://` URI, an absolute file path, or a known name
 * ({@link RINGBACK_NAMES}), bare or as a reference (`${us-ring}`, which the service resolves itself). Any other
 * `${` is refused (FreeSWITCH would refuse to set it).
 */
export function ringbackProblem(v: string): string | undefined {
  if (v.length > MAX_RINGBACK_LENGTH) return `must not be longer than ${MAX_RINGBACK_LENGTH} characters`;
  if (ringbackName(v) !== undefined) return undefined;
  const unsafe = channelValueProblem(v);
  if (unsafe !== undefined) return unsafe;
  if (mediaShapeOk(v)) return undefined;
  return 'must be a tone %(on,off,freq), a tone_stream://, local_stream:// or http_cache:// URI, an absolute file path or a known ringback name';
}

/**
 * The tone or URI to send as `transfer_ringback`: a known name (`us-ring` or `${us-ring}`) becomes its tone,
 * anything else is kept.
 */
export function resolveRingback(v: string): string {
  const name = ringbackName(v);
  return name === undefined ? v : (RINGBACK_TONES[name] as string);
}

/**
 * Why `v` is not usable as `music_on_hold.media_id` (sent as `hold_music`), or `undefined`: a file path, a
 * `local_stream://`, `tone_stream://`, `http_cache://` URI (docs/originate.md#hold-music-and-presence), a tone, or a
 * Kazoo media id (32 lowercase hex digits: {@link resolveHoldMusic} turns it into a location).
 */
export function holdMusicProblem(v: string): string | undefined {
  if (v.length > MAX_MEDIA_LENGTH) return `must not be longer than ${MAX_MEDIA_LENGTH} characters`;
  const unsafe = channelValueProblem(v);
  if (unsafe !== undefined) return unsafe;
  if (MEDIA_ID.test(v) || mediaShapeOk(v)) return undefined;
  return 'must be an absolute file path, a local_stream://, tone_stream:// or http_cache:// URI, or a media id (32 hex digits)';
}

/** Where a media id's file is, by default: `{account_id}` and `{media_id}` are filled in. */
export const DEFAULT_MEDIA_LOCATION = '/var/lib/fs-clicktocall/media/{account_id}/{media_id}.wav';

const fillLocation = (template: string, accountId: string, mediaId: string): string =>
  template.replaceAll('{account_id}', accountId).replaceAll('{media_id}', mediaId);

/** A location a media id may be turned into: an absolute file path, or an `http_cache://` or `local_stream://` URI. */
const LOCATION = /^(?:\/|(?:http_cache|local_stream):\/\/)./;

/**
 * Why `template` cannot be the media location template, or `undefined`: it must hold `{media_id}` (and may hold
 * `{account_id}`, no other `{…}`), and once filled be an absolute file path or an `http_cache://` or
 * `local_stream://` URI that passes {@link channelValueProblem}.
 */
export function mediaLocationProblem(template: string): string | undefined {
  if (!template.includes('{media_id}')) return 'must contain {media_id}';
  const filled = fillLocation(template, '0'.repeat(32), 'f'.repeat(32));
  const unsafe = channelValueProblem(filled);
  if (unsafe !== undefined) return unsafe;
  if (/[{}]/.test(filled)) return 'must not contain a {…} other than {account_id} and {media_id}';
  if (!LOCATION.test(filled))
    return 'must be an absolute file path or an http_cache:// or local_stream:// URI once filled';
  return undefined;
}

/**
 * The hold music to play for `value` (an accepted `music_on_hold.media_id`): a media id becomes its location, the
 * `mediaLocation` template with `{account_id}` and `{media_id}` filled in; any other value is returned unchanged.
 */
export function resolveHoldMusic(value: string, opts: { mediaLocation: string; accountId: string }): string {
  return MEDIA_ID.test(value) ? fillLocation(opts.mediaLocation, opts.accountId, value) : value;
}
