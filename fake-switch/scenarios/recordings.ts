/**
 * The decoded recordings, by name. The data files are imported, so the build copies them into dist/ beside
 * this module.
 */
import { decodeRecording } from './engine';
import type { Recording, RecordingData } from './engine';
import answered from './data/answered.json';
import bypassAnswered from './data/bypassAnswered.json';
import bypassSecondBusy from './data/bypassSecondBusy.json';
import bypassSecondRinging from './data/bypassSecondRinging.json';
import firstBusy from './data/firstBusy.json';
import firstDialplanRinging from './data/firstDialplanRinging.json';
import firstLateBridge from './data/firstLateBridge.json';
import firstNoAnswer from './data/firstNoAnswer.json';
import firstNotFound from './data/firstNotFound.json';
import firstRinging from './data/firstRinging.json';
import killBypass from './data/killBypass.json';
import killFourLegs from './data/killFourLegs.json';
import killTwoLegs from './data/killTwoLegs.json';
import secondBusy from './data/secondBusy.json';
import secondNotFound from './data/secondNotFound.json';
import secondRinging from './data/secondRinging.json';

export const RECORDING_DATA = {
  answered,
  bypassAnswered,
  firstBusy,
  firstNotFound,
  firstRinging,
  firstNoAnswer,
  firstDialplanRinging,
  firstLateBridge,
  secondBusy,
  secondNotFound,
  secondRinging,
  bypassSecondBusy,
  bypassSecondRinging,
  killFourLegs,
  killTwoLegs,
  killBypass,
} satisfies Record<string, RecordingData>;

export type RecordingName = keyof typeof RECORDING_DATA;

const cache = new Map<RecordingName, Recording>();

export function recording(name: RecordingName): Recording {
  let r = cache.get(name);
  if (!r) {
    r = decodeRecording(RECORDING_DATA[name]);
    cache.set(name, r);
  }
  return r;
}
