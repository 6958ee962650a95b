/** Seconds between 0000-01-01 (Gregorian, Erlang's calendar) and the Unix epoch: Kazoo's timestamps. */
export const GREGORIAN_UNIX_OFFSET_S = 62_167_219_200;

/** Kazoo's timestamp: Gregorian seconds. */
export const gregorianSeconds = (date: Date): number =>
  Math.floor(date.getTime() / 1000) + GREGORIAN_UNIX_OFFSET_S;

/** The Unix milliseconds of a Gregorian-seconds timestamp. */
export const unixMsOfGregorian = (seconds: number): number => (seconds - GREGORIAN_UNIX_OFFSET_S) * 1000;
