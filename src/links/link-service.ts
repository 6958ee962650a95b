/**
 * Public links (docs/links.md): an account makes, lists and revokes links to a configuration; a web page's visitor
 * connects through one (the link is the credential), then follows that one call with a call-status token.
 */
import crypto from 'node:crypto';
import type { AccountService } from '../accounts/account-service';
import type { CallNotices } from '../calls/call-notices';
import { isFinal, type CallStatus } from '../calls/call-state';
import { cutPage, pageWindow, type PageOptions } from '../clicktocall/paging';
import type { ClickToCallService } from '../clicktocall/clicktocall-service';
import type { ConnectService } from '../clicktocall/connect-service';
import { normalizeContact } from '../clicktocall/contact';
import type { ClickToCallLink, HistoryDoc } from '../domain';
import { AppError, badIdentifier, fieldError, invalidCredentials, linkGone } from '../errors';
import { isId, newId } from '../ids';
import type { Logger } from '../logger';
import type { HistoryRepository, LinkRepository, ServiceKeyRepository } from '../store/ports';
import { DEFAULT_LINK_CALLS_PER_MINUTE, type LinkRequest } from './link-schema';
import type { RateLimit } from '../rate-limit';
import { linkOfToken, signLinkToken, signStatusToken, verifyLinkToken, verifyStatusToken } from './tokens';

export type LinkServiceDeps = {
  links: LinkRepository;
  keys: ServiceKeyRepository;
  history: HistoryRepository;
  accounts: AccountService;
  clicktocall: ClickToCallService;
  connect: ConnectService;
  notices: CallNotices;
  /** The per-link limit (calls_per_minute), shared by every visitor of a link. */
  rate: RateLimit;
  validate: (body: unknown) => LinkRequest;
  now: () => Date;
  logger: Logger;
};

/** How long a call-status token reads its call (the call itself lasts far less). */
const STATUS_TOKEN_TTL_MS = 24 * 3600 * 1000;

/** What a visitor is told of a call: where it is, in words the widget shows (docs/links.md#following-the-call). */
export type PublicCallStatus = {
  status: string;
  phase: 'connecting' | 'calling_you' | 'connected' | 'ended' | 'busy' | 'no_answer' | 'failed';
  final: boolean;
  created?: string;
  answered_at?: string;
  ended_at?: string;
};

/** The visitor is the contact: with `dial_first: extension` their phone rings after the extension answered. */
export function publicStatus(doc: HistoryDoc): PublicCallStatus {
  const status = doc.status as CallStatus;
  const contactFirst = doc['dial_first'] === 'contact';
  const phase: PublicCallStatus['phase'] =
    status === 'originating'
      ? 'connecting'
      : status === 'ringing'
        ? contactFirst
          ? 'calling_you'
          : 'connecting'
        : status === 'answered'
          ? contactFirst
            ? 'connecting'
            : 'calling_you'
          : status === 'connected'
            ? 'connected'
            : status === 'busy' || status === 'no_answer' || status === 'failed'
              ? status
              : 'ended';
  const view: PublicCallStatus = { status, phase, final: isFinal(status) };
  for (const key of ['created', 'answered_at', 'ended_at'] as const)
    if (typeof doc[key] === 'string') view[key] = doc[key];
  return view;
}

const iso = (ms: number | undefined): string | undefined =>
  ms === undefined ? undefined : new Date(ms).toISOString();

/** Why a link does not work now, or undefined when it does. */
function stateOf(link: ClickToCallLink, nowMs: number): 'revoked' | 'expired' | 'used_up' | undefined {
  if (link.revoked_ms !== undefined) return 'revoked';
  if (link.expires_ms <= nowMs) return 'expired';
  if (link.max_calls !== undefined && link.calls >= link.max_calls) return 'used_up';
  return undefined;
}

/** A link as its account sees it (never its token: that is shown once). */
export function linkView(link: ClickToCallLink, nowMs: number): Record<string, unknown> {
  const view: Record<string, unknown> = {
    id: link.id,
    clicktocall_id: link.clicktocall_id,
    state: stateOf(link, nowMs) ?? 'active',
    created: iso(link.created_ms),
    expires_at: iso(link.expires_ms),
    max_calls: link.max_calls,
    calls: link.calls,
    calls_per_minute: link.calls_per_minute,
    origins: link.origins,
    contact: link.contact,
    contact_prefixes: link.contact_prefixes,
    revoked_at: iso(link.revoked_ms),
  };
  for (const key of Object.keys(view)) if (view[key] === undefined) delete view[key];
  return view;
}

/** The HTML a website owner pastes: the widget's script and the element, with the link. */
export const snippetOf = (baseUrl: string, token: string): string =>
  `<script src="${baseUrl}/widget/click-to-call.js" defer></script>\n<click-to-call link="${token}"></click-to-call>`;

export class LinkService {
  private key: Promise<Uint8Array> | undefined;

  constructor(private readonly deps: LinkServiceDeps) {}

  // ---- the account's side ----

  async create(
    accountId: string,
    clicktocallId: string,
    body: unknown,
    baseUrl: string,
  ): Promise<Record<string, unknown>> {
    const account = await this.deps.accounts.getAccount(accountId);
    const config = account && (await this.deps.clicktocall.find(accountId, clicktocallId));
    if (!account || !config) throw badIdentifier(clicktocallId);
    const request = this.deps.validate(body);
    if (request.contact !== undefined && request.contact_prefixes !== undefined)
      throw fieldError('contact_prefixes', 'conflicts', 'give contact or contact_prefixes, not both');
    let contact: string | undefined;
    if (request.contact !== undefined) {
      const normalized = normalizeContact(request.contact, { allowSip: account.allow_sip_uri === true });
      if (!normalized.ok) throw fieldError('contact', 'invalid', normalized.reason);
      contact = normalized.contact;
    }
    const nowMs = this.deps.now().getTime();
    const link: ClickToCallLink = {
      id: newId(),
      account_id: accountId,
      clicktocall_id: clicktocallId,
      created_ms: nowMs,
      expires_ms: nowMs + request.expires_in * 1000,
      ...(request.max_calls !== undefined && { max_calls: request.max_calls }),
      calls: 0,
      calls_per_minute: request.calls_per_minute ?? DEFAULT_LINK_CALLS_PER_MINUTE,
      origins: request.origins,
      ...(contact !== undefined && { contact }),
      ...(request.contact_prefixes !== undefined && { contact_prefixes: request.contact_prefixes }),
    };
    await this.deps.links.insert(link);
    const token = await signLinkToken(await this.signingKey(), link.id, link.expires_ms);
    return { ...linkView(link, nowMs), token, snippet: snippetOf(baseUrl, token) };
  }

  async list(
    accountId: string,
    clicktocallId: string,
    options: PageOptions,
  ): Promise<{ items: Array<Record<string, unknown>>; startKey?: string; nextStartKey?: string }> {
    if (!isId(clicktocallId) || !(await this.deps.clicktocall.find(accountId, clicktocallId)))
      throw badIdentifier(clicktocallId);
    const { start, pageSize, limit } = pageWindow(options);
    const rows = await this.deps.links.list({
      accountId,
      clicktocallId,
      ...(start !== undefined && { start }),
      ...(limit !== undefined && { limit }),
    });
    const { page, next } = cutPage(rows, pageSize);
    const nowMs = this.deps.now().getTime();
    return {
      items: page.map((l) => linkView(l, nowMs)),
      ...(options.startKey !== undefined && { startKey: options.startKey }),
      ...(next !== undefined && { nextStartKey: next }),
    };
  }

  async get(accountId: string, clicktocallId: string, linkId: string): Promise<Record<string, unknown>> {
    return linkView(await this.own(accountId, clicktocallId, linkId), this.deps.now().getTime());
  }

  /** Revokes the link: it stops working at once (a second revoke leaves the first time). */
  async revoke(accountId: string, clicktocallId: string, linkId: string): Promise<Record<string, unknown>> {
    await this.own(accountId, clicktocallId, linkId);
    const nowMs = this.deps.now().getTime();
    await this.deps.links.revoke(accountId, linkId, nowMs);
    return linkView(await this.own(accountId, clicktocallId, linkId), nowMs);
  }

  // ---- the public side: the token is the credential ----

  /** What the widget asks first: does this link work, and may this page use it. */
  async describe(token: string, origin: string | undefined): Promise<Record<string, unknown>> {
    const link = await this.live(token);
    // A link of a deleted configuration stops with it.
    if (!(await this.deps.clicktocall.find(link.account_id, link.clicktocall_id))) throw linkGone('revoked');
    return {
      allowed: origin !== undefined && link.origins.includes(origin),
      contact_fixed: link.contact !== undefined,
      ...(link.contact_prefixes && { contact_prefixes: link.contact_prefixes }),
      expires_at: iso(link.expires_ms),
    };
  }

  /** The origins allowed to call the link's endpoints from a browser (none for an unknown token). */
  async originsOf(token: string): Promise<readonly string[]> {
    const linkId = await linkOfToken(await this.signingKey(), token);
    return (linkId !== undefined && (await this.deps.links.byId(linkId))?.origins) || [];
  }

  /** Places a call through the link for a page of one of its origins. */
  async connect(
    token: string,
    origin: string | undefined,
    contact: unknown,
    log: Logger,
  ): Promise<{ status_token: string; status: PublicCallStatus }> {
    const link = await this.live(token);
    this.checkOrigin(link, origin);
    this.deps.rate.hit(link.id, link.calls_per_minute, 'connects a minute through this link');
    const account = await this.deps.accounts.getAccount(link.account_id);
    const config = account && (await this.deps.clicktocall.find(link.account_id, link.clicktocall_id));
    if (!account || !config) throw linkGone('revoked');
    const grant = {
      id: link.id,
      ...(link.contact !== undefined && { contact: link.contact }),
      ...(link.contact_prefixes !== undefined && { contact_prefixes: link.contact_prefixes }),
    };
    const result = await this.deps.connect.connect(
      account,
      config,
      { link: grant },
      {
        contact,
        blocking: false,
        customApplicationVars: undefined,
        log,
      },
    );
    const callId = (result.data as { call_id: string }).call_id;
    const record = await this.deps.history.byCallId(callId);
    if (!record) throw new AppError('internal', { message: 'internal error' });
    const statusToken = await signStatusToken(
      await this.signingKey(),
      record.doc.id,
      link.id,
      this.deps.now().getTime() + STATUS_TOKEN_TTL_MS,
    );
    return { status_token: statusToken, status: publicStatus(record.doc) };
  }

  /** The call a status token reads, for a page of the link's origins (the link may have stopped since). */
  async status(token: string, statusToken: string, origin: string | undefined): Promise<PublicCallStatus> {
    return publicStatus((await this.callOf(token, statusToken, origin)).doc);
  }

  /**
   * Follows the call: `send` gets its status now and at each change until it is final; returns the function
   * that stops following (the stream closed).
   */
  async watch(
    token: string,
    statusToken: string,
    origin: string | undefined,
    send: (status: PublicCallStatus) => void,
  ): Promise<() => void> {
    const { doc } = await this.callOf(token, statusToken, origin);
    const first = publicStatus(doc);
    send(first);
    if (first.final) return () => undefined;
    let last = first.status;
    const stop = this.deps.notices.subscribe((notice) => {
      if (notice.type !== 'changed' || notice.callId !== doc.call_id) return;
      const next = publicStatus(notice.record);
      if (next.status === last) return;
      last = next.status;
      send(next);
    });
    return stop;
  }

  private async callOf(token: string, statusToken: string, origin: string | undefined) {
    const key = await this.signingKey();
    const linkId = await linkOfToken(key, token);
    const verdict = await verifyStatusToken(key, statusToken, this.deps.now().getTime());
    if (linkId === undefined || !verdict.ok || verdict.value.linkId !== linkId) throw invalidCredentials();
    const link = await this.deps.links.byId(linkId);
    if (!link) throw invalidCredentials();
    this.checkOrigin(link, origin);
    const record = await this.deps.history.byId(verdict.value.recordId);
    if (!record) throw invalidCredentials();
    return record;
  }

  /** The link a token names, if it works now: 401 for a token that is not ours, 410 when it stopped. */
  private async live(token: string): Promise<ClickToCallLink> {
    const nowMs = this.deps.now().getTime();
    const verdict = await verifyLinkToken(await this.signingKey(), token, nowMs);
    if (!verdict.ok) {
      if (verdict.reason === 'expired') throw linkGone('expired');
      throw invalidCredentials();
    }
    const link = await this.deps.links.byId(verdict.value);
    if (!link) throw invalidCredentials();
    const stopped = stateOf(link, nowMs);
    if (stopped) throw linkGone(stopped);
    return link;
  }

  private checkOrigin(link: ClickToCallLink, origin: string | undefined): void {
    if (origin === undefined || !link.origins.includes(origin))
      throw new AppError('forbidden', {
        message: "this page's origin may not use this link",
        origin: origin?.slice(0, 256) ?? null,
      });
  }

  private async own(accountId: string, clicktocallId: string, linkId: string): Promise<ClickToCallLink> {
    const link = isId(linkId) ? await this.deps.links.get(accountId, linkId) : undefined;
    if (!link || link.clicktocall_id !== clicktocallId) throw badIdentifier(linkId);
    return link;
  }

  /** The key tokens are signed with: made on first use, kept in the database, shared by every process. */
  private signingKey(): Promise<Uint8Array> {
    if (this.key) return this.key;
    const pending = this.deps.keys
      .ensure('link-tokens', crypto.randomBytes(32).toString('base64'), this.deps.now().getTime())
      .then((k) => new Uint8Array(Buffer.from(k, 'base64')));
    this.key = pending;
    // A failed read is tried again by the next caller.
    void pending.catch(() => {
      if (this.key === pending) this.key = undefined;
    });
    return pending;
  }
}
