import { expect } from 'chai';
import { AccountService } from '../../src/accounts/account-service';
import { LinkService } from '../../src/links/link-service';
import { WebhookService } from '../../src/webhooks/webhook-service';

/** Every secret the test run creates or uses: the scan below looks for each in every log line. */
export const SECRETS = new Set<string>(['ClueCon', 'S3cret-esl-pw']);

/** Records every API key and token the services hand out (test instrumentation only). */
function instrument(): void {
  /* eslint-disable @typescript-eslint/unbound-method -- the originals are called with their `this` below */
  const proto = AccountService.prototype;
  const createAccount = proto.createAccount;
  proto.createAccount = async function (this: AccountService, ...args: Parameters<typeof createAccount>) {
    const created = await createAccount.apply(this, args);
    SECRETS.add(created.api_key);
    return created;
  };
  const createApiKey = proto.createApiKey;
  proto.createApiKey = async function (this: AccountService, ...args: Parameters<typeof createApiKey>) {
    const key = await createApiKey.apply(this, args);
    SECRETS.add(key);
    return key;
  };
  const issueToken = proto.issueToken;
  proto.issueToken = async function (this: AccountService, ...args: Parameters<typeof issueToken>) {
    const issued = await issueToken.apply(this, args);
    SECRETS.add(issued.token);
    return issued;
  };
  // Webhook signing secrets, with and without their whsec_ prefix (the key is the base64 part).
  const addSecret = (view: Record<string, unknown>): void => {
    const secret = String(view['secret']);
    SECRETS.add(secret);
    SECRETS.add(secret.replace(/^whsec_/, ''));
  };
  const hooks = WebhookService.prototype;
  const secret = hooks.secret;
  hooks.secret = async function (this: WebhookService, ...args: Parameters<typeof secret>) {
    const view = await secret.apply(this, args);
    addSecret(view);
    return view;
  };
  const rotate = hooks.rotate;
  hooks.rotate = async function (this: WebhookService, ...args: Parameters<typeof rotate>) {
    const view = await rotate.apply(this, args);
    addSecret(view);
    return view;
  };
  // Public link tokens (shown once at creation) and the call-status tokens a connect through a link hands out.
  const links = LinkService.prototype;
  const create = links.create;
  links.create = async function (this: LinkService, ...args: Parameters<typeof create>) {
    const created = await create.apply(this, args);
    SECRETS.add(String(created['token']));
    return created;
  };
  const connect = links.connect;
  links.connect = async function (this: LinkService, ...args: Parameters<typeof connect>) {
    const placed = await connect.apply(this, args);
    SECRETS.add(placed.status_token);
    return placed;
  };
  /* eslint-enable @typescript-eslint/unbound-method */
}

/**
 * After the whole run (a root hook), every log line the in-process services wrote is searched for every
 * secret: the ESL passwords, each API key and token issued during the run, each webhook signing secret read
 * through the service (the webhook rig reads its account's before it closes), and each public link token and
 * call-status token handed out.
 */
export function scanLogsAfterRun(lines: readonly string[]): void {
  if (typeof after !== 'function') return; // loaded outside mocha (a script): nothing to hook
  instrument();
  after('no secret in any log line of the run', function () {
    // Every secret against every line of a ~1,700-test run: seconds when idle, more on a loaded 2-core machine, where
    // mocha's 10 s default ran out. A deadline sized for that, and one search per secret through all the text (the
    // lines that hold it are looked up only for a secret found) rather than one per line and secret.
    this.timeout(120_000);
    const text = lines.join('\n');
    const leaks: string[] = [];
    for (const secret of SECRETS)
      if (text.includes(secret))
        for (const line of lines) if (line.includes(secret)) leaks.push(line.slice(0, 200));
    expect(leaks).to.deep.equal([]);
  });
}
