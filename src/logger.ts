import winston from 'winston';

/** The logging surface every module receives (winston's Logger satisfies it). */
export type Logger = {
  error(message: string, meta?: object): void;
  warn(message: string, meta?: object): void;
  info(message: string, meta?: object): void;
  debug(message: string, meta?: object): void;
  child(meta: object): Logger;
};

const SECRET_KEYS =
  /^(password|esl_password|eslpassword|api_key|apikey|auth_token|authtoken|token|authorization|x-auth-token)$/i;

/** Replaces the values of secret-looking keys, at any depth, before a line is written. */
const redact = winston.format((info) => {
  const scrub = (value: unknown, depth: number): unknown => {
    if (depth > 5 || value === null || typeof value !== 'object') return value;
    if (Array.isArray(value)) return value.map((v) => scrub(v, depth + 1));
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value))
      out[k] = SECRET_KEYS.test(k) ? '[redacted]' : scrub(v, depth + 1);
    return out;
  };
  for (const key of Object.keys(info)) {
    info[key] = SECRET_KEYS.test(key) ? '[redacted]' : scrub(info[key], 0);
  }
  return info;
});

/** JSON lines to stdout (or to the given stream, for tests). */
export function createLogger(opts: { level: string; stream?: NodeJS.WritableStream }): Logger {
  return winston.createLogger({
    level: opts.level,
    format: winston.format.combine(
      redact(),
      winston.format.errors({ stack: true }),
      winston.format.timestamp(),
      winston.format.json(),
    ),
    transports: [
      opts.stream ? new winston.transports.Stream({ stream: opts.stream }) : new winston.transports.Console(),
    ],
  });
}
