import Ajv from 'ajv';
import { DEFAULT_MEDIA_LOCATION, mediaLocationProblem } from './clicktocall/ringback';

/** The service's configuration, read once from the environment at start (README, Configuration). */
export type Config = Readonly<{
  port: number;
  host: string;
  dbPath: string;
  /**
   * PostgreSQL (`postgres://…`): the store shared by several instances, which then share the switches' tracking
   * (docs/switches.md). Unset: the SQLite file at `dbPath`. Never logged.
   */
  databaseUrl?: string;
  /**
   * The switches calls are placed on (docs/switches.md): from `SWITCHES`, or the one switch of `ESL_HOST`,
   * `ESL_PORT` and `ESL_PASSWORD`, named `default`.
   */
  switches: ReadonlyArray<SwitchConfig>;
  eslHost: string;
  eslPort: number;
  eslPassword: string;
  dialplanContext: string;
  /**
   * Where a Kazoo media id in `music_on_hold.media_id` is played from: a path or URI template with `{media_id}`
   * and optionally `{account_id}` (docs/originate.md#hold-music-and-presence).
   */
  mediaLocation: string;
  logLevel: 'error' | 'warn' | 'info' | 'debug';
  tokenTtlS: number;
  /** Express's `trust proxy`: false, or the proxies whose X-Forwarded-For is believed. */
  trustProxy: false | string[];
  /** Anonymous connects allowed per client address per minute (0 = no limit). */
  anonConnectsPerMinute: number;
  /** The service's address as browsers reach it (`https://c2c.example`): where a link's snippet loads the widget from. */
  publicUrl?: string;
  /** When set, `GET /metrics` requires `Authorization: Bearer <metricsToken>` (never logged). */
  metricsToken?: string;
  /** Status webhooks (docs/webhooks.md#settings). */
  webhooks: Readonly<{
    /** Deliver to loopback, private, link-local and metadata addresses too (demo, tests; default false). */
    allowPrivateNetworks: boolean;
    /** One delivery attempt at most, in ms. */
    timeoutMs: number;
    /** Attempts in flight at most, in total and to one destination. */
    concurrency: number;
    perDestination: number;
  }>;
}>;

/** One switch of `SWITCHES`. The password is a secret: never logged, never in an error message. */
export type SwitchConfig = Readonly<{
  name: string;
  host: string;
  port: number;
  password: string;
  weight: number;
}>;

type Env = Record<string, string | undefined>;

const ENV_SCHEMA = {
  type: 'object',
  properties: {
    PORT: { type: 'integer', minimum: 0, maximum: 65535, default: 8000 },
    HOST: { type: 'string', minLength: 1, maxLength: 255, default: '127.0.0.1' },
    DB_PATH: { type: 'string', minLength: 1, default: './data/clicktocall.db' },
    DATABASE_URL: { type: 'string', maxLength: 2048, pattern: '^postgres(ql)?://[^\\s]+$' },
    SWITCHES: { type: 'string', maxLength: 65536 },
    ESL_HOST: { type: 'string', minLength: 1, maxLength: 255, default: '127.0.0.1' },
    ESL_PORT: { type: 'integer', minimum: 1, maximum: 65535, default: 8021 },
    ESL_PASSWORD: { type: 'string', minLength: 1, maxLength: 256, pattern: '^[^\\s]+$', default: 'ClueCon' },
    DIALPLAN_CONTEXT: { type: 'string', pattern: '^[0-9A-Za-z_.+*#-]{1,64}$', default: 'default' },
    MEDIA_LOCATION: { type: 'string', minLength: 1, maxLength: 1024, default: DEFAULT_MEDIA_LOCATION },
    LOG_LEVEL: { enum: ['error', 'warn', 'info', 'debug'], default: 'info' },
    TOKEN_TTL_S: { type: 'integer', minimum: 60, maximum: 604800, default: 3600 },
    TRUST_PROXY: { type: 'string', pattern: '^[0-9A-Fa-f.:/,a-z ]{0,1024}$', default: '' },
    ANON_CONNECTS_PER_MINUTE: { type: 'integer', minimum: 0, maximum: 1000000, default: 10 },
    PUBLIC_URL: { type: 'string', maxLength: 512, pattern: '^https?://[^/?#\\s]+$' },
    METRICS_TOKEN: { type: 'string', minLength: 16, maxLength: 256, pattern: '^[!-~]+$' },
    WEBHOOKS_ALLOW_PRIVATE_NETWORKS: { type: 'boolean', default: false },
    WEBHOOKS_TIMEOUT_MS: { type: 'integer', minimum: 500, maximum: 60000, default: 10000 },
    WEBHOOKS_CONCURRENCY: { type: 'integer', minimum: 1, maximum: 1024, default: 16 },
    WEBHOOKS_PER_DESTINATION: { type: 'integer', minimum: 1, maximum: 1024, default: 4 },
  },
} as const;

const ajv = new Ajv({ allErrors: true, coerceTypes: true, useDefaults: true });
const validateEnv = ajv.compile(ENV_SCHEMA);

/** Variables whose value is a secret: a problem with one never shows the value. */
const SECRETS = new Set(['ESL_PASSWORD', 'METRICS_TOKEN', 'DATABASE_URL', 'SWITCHES']);

/** Thrown when the environment is invalid; its message lists every problem. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration: ${problems.join('; ')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Validates the environment and returns the frozen configuration. Empty variables count as unset.
 * Throws ConfigError listing every problem at once. The ESL password is never part of a message.
 */
export function loadConfig(env: Env): Config {
  const input: Record<string, string> = {};
  for (const key of Object.keys(ENV_SCHEMA.properties)) {
    const value = env[key];
    if (value !== undefined && value !== '') input[key] = value;
  }
  if (!validateEnv(input)) {
    const problems = (validateEnv.errors ?? []).map((e) => {
      const name = e.instancePath.replace(/^\//, '');
      const shown = SECRETS.has(name) ? '' : ` (got ${JSON.stringify(input[name])})`;
      return `${name} ${e.message ?? 'is invalid'}${shown}`;
    });
    throw new ConfigError(problems);
  }
  const v = input as unknown as Record<string, string | number>;
  const mediaProblem = mediaLocationProblem(v['MEDIA_LOCATION'] as string);
  if (mediaProblem !== undefined)
    throw new ConfigError([`MEDIA_LOCATION ${mediaProblem} (got ${JSON.stringify(v['MEDIA_LOCATION'])})`]);
  const eslPassword = v['ESL_PASSWORD'] as string;
  const switches =
    v['SWITCHES'] === undefined
      ? [
          Object.freeze({
            name: 'default',
            host: v['ESL_HOST'] as string,
            port: v['ESL_PORT'] as number,
            password: eslPassword,
            weight: 1,
          }),
        ]
      : switchesOf(v['SWITCHES'] as string, eslPassword);
  return Object.freeze({
    port: v['PORT'] as number,
    host: v['HOST'] as string,
    dbPath: v['DB_PATH'] as string,
    ...(v['DATABASE_URL'] !== undefined && { databaseUrl: v['DATABASE_URL'] as string }),
    switches: Object.freeze(switches),
    eslHost: v['ESL_HOST'] as string,
    eslPort: v['ESL_PORT'] as number,
    eslPassword: v['ESL_PASSWORD'] as string,
    dialplanContext: v['DIALPLAN_CONTEXT'] as string,
    mediaLocation: v['MEDIA_LOCATION'] as string,
    logLevel: v['LOG_LEVEL'] as Config['logLevel'],
    tokenTtlS: v['TOKEN_TTL_S'] as number,
    trustProxy: trustProxyOf(v['TRUST_PROXY'] as string),
    anonConnectsPerMinute: v['ANON_CONNECTS_PER_MINUTE'] as number,
    ...(v['PUBLIC_URL'] !== undefined && { publicUrl: v['PUBLIC_URL'] as string }),
    ...(v['METRICS_TOKEN'] !== undefined && { metricsToken: v['METRICS_TOKEN'] as string }),
    webhooks: Object.freeze({
      allowPrivateNetworks: (v['WEBHOOKS_ALLOW_PRIVATE_NETWORKS'] as unknown as boolean) === true,
      timeoutMs: v['WEBHOOKS_TIMEOUT_MS'] as number,
      concurrency: v['WEBHOOKS_CONCURRENCY'] as number,
      perDestination: v['WEBHOOKS_PER_DESTINATION'] as number,
    }),
  });
}

const SWITCH_SCHEMA = {
  type: 'array',
  minItems: 1,
  maxItems: 64,
  items: {
    type: 'object',
    additionalProperties: false,
    required: ['name', 'host'],
    properties: {
      name: { type: 'string', pattern: '^[A-Za-z0-9_.-]{1,64}$' },
      host: { type: 'string', minLength: 1, maxLength: 255 },
      port: { type: 'integer', minimum: 1, maximum: 65535, default: 8021 },
      password: { type: 'string', minLength: 1, maxLength: 256, pattern: '^[^\\s]+$' },
      weight: { type: 'integer', minimum: 1, maximum: 1000, default: 1 },
    },
  },
} as const;
const validateSwitches = ajv.compile(SWITCH_SCHEMA);

/**
 * `SWITCHES`: a JSON list of `{"name", "host", "port", "password", "weight"}` (port 8021, weight 1 and the password
 * of `ESL_PASSWORD` by default). A problem names the entry and the field, never a password.
 */
function switchesOf(text: string, defaultPassword: string): SwitchConfig[] {
  let list: unknown;
  try {
    list = JSON.parse(text);
  } catch {
    throw new ConfigError(['SWITCHES must be a JSON list of switches']);
  }
  if (!validateSwitches(list))
    throw new ConfigError(
      (validateSwitches.errors ?? []).map((e) => `SWITCHES${e.instancePath} ${e.message ?? 'is invalid'}`),
    );
  const switches = (list as Array<Omit<SwitchConfig, 'password'> & { password?: string }>).map((s) =>
    Object.freeze({ ...s, password: s.password ?? defaultPassword }),
  );
  const names = new Set(switches.map((s) => s.name));
  if (names.size !== switches.length) throw new ConfigError(['SWITCHES names two switches alike']);
  return switches;
}

/**
 * `TRUST_PROXY`: empty = trust no proxy (the client address is the TCP peer's); otherwise a
 * comma-separated list of proxy addresses, CIDRs or Express's names (`loopback`, `uniquelocal`).
 */
function trustProxyOf(value: string): false | string[] {
  const list = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return list.length === 0 ? false : list;
}
