/** The decoded recordings (data/*.ts), by name. */
import { decodeRecording } from './engine';
import type { Recording, RecordingData } from './engine';
import { answered } from './data/answered';
import { bypassAnswered } from './data/bypassAnswered';
import { bypassSecondBusy } from './data/bypassSecondBusy';
import { bypassSecondRinging } from './data/bypassSecondRinging';
import { firstBusy } from './data/firstBusy';
import { firstNoAnswer } from './data/firstNoAnswer';
import { firstNotFound } from './data/firstNotFound';
import { firstRinging } from './data/firstRinging';
import { killBypass } from './data/killBypass';
import { killFourLegs } from './data/killFourLegs';
import { killTwoLegs } from './data/killTwoLegs';
import { secondBusy } from './data/secondBusy';
import { secondNotFound } from './data/secondNotFound';
import { secondRinging } from './data/secondRinging';

export const RECORDING_DATA = {
  answered,
  bypassAnswered,
  firstBusy,
  firstNotFound,
  firstRinging,
  firstNoAnswer,
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
