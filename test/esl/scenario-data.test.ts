/**
 * The fake switch's recordings (fake-switch/scenarios/data/*.json) are data generated from the captures:
 * each one, regenerated in memory from its capture, must equal the committed file, byte for byte. A hand
 * edit, or a capture re-taken without `npm run scenarios`, fails here with the recording's name.
 */
import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { RecordingData } from '../../fake-switch/scenarios/engine';
import { RECORDING_DATA } from '../../fake-switch/scenarios/recordings';
import { DATA_DIR, RECORDINGS, recordingData, recordingJson } from '../support/extract-scenario-data';

/** Where two recordings first differ, in words; undefined when they are equal. */
function firstDifference(committed: RecordingData, fresh: RecordingData): string | undefined {
  for (const key of ['source', 'tailFromMs', 'tailRefMs'] as const) {
    if (committed[key] !== fresh[key]) return `${key} is ${committed[key]}, the capture gives ${fresh[key]}`;
  }
  const n = Math.max(committed.lines.length, fresh.lines.length);
  for (let i = 0; i < n; i++) {
    if (committed.lines[i] !== fresh.lines[i]) {
      return `line ${i + 1} is ${JSON.stringify(committed.lines[i])}, the capture gives ${JSON.stringify(fresh.lines[i])}`;
    }
  }
  return undefined;
}

describe('fake-switch recordings match their captures (npm run scenarios regenerates them)', () => {
  it('when the data folder is listed, then it holds exactly one JSON file per recording, each one loaded', () => {
    const files = readdirSync(DATA_DIR).sort();
    expect(files).to.deep.equal(RECORDINGS.map((r) => `${r.name}.json`).sort());
    expect(Object.keys(RECORDING_DATA).sort()).to.deep.equal(RECORDINGS.map((r) => r.name).sort());
  });

  for (const spec of RECORDINGS) {
    it(`${spec.name}.json ⇐ ${spec.file}`, () => {
      const text = readFileSync(path.join(DATA_DIR, `${spec.name}.json`), 'utf8');
      const fresh = recordingData(spec);
      const committed = JSON.parse(text) as RecordingData;
      const diff = firstDifference(committed, fresh);
      expect(diff, `${spec.name}.json differs from ${spec.file}: ${diff ?? ''} (npm run scenarios)`).to.equal(
        undefined,
      );
      expect(text === recordingJson(fresh), `${spec.name}.json is not in the generator's format`).to.equal(
        true,
      );
    });
  }
});
