import crypto from 'node:crypto';
import { badIdentifier, preconditionFailed } from '../errors';
import type { ClickToCallDoc, ClickToCallRecord } from '../domain';
import { isId, newId } from '../ids';
import type { Logger } from '../logger';
import type { ClickToCallRepository, WebhookOutboxRepository } from '../store/ports';
import { deepMerge } from './merge';
import { contactSeesExtension } from './originate-request';
import { matchesAll } from './filters';
import { dataNotAnObject } from './kazoo-errors';
import { encodeKey, pageWindow, scanPage, type ListOptions, type ListPage } from './paging';
import type { ClickToCallValidator } from './validation';

export type ClickToCallServiceDeps = {
  repo: ClickToCallRepository;
  validate: ClickToCallValidator;
  now: () => Date;
  /** Where a saved configuration's warnings go (the caller id a contact would see). */
  logger?: Logger;
  /** A saved status_callback names its receiver again: a 410 stop of it is lifted (docs/webhooks.md#retries). */
  webhookStops?: Pick<WebhookOutboxRepository, 'unstop'>;
};

/** A stored configuration as the API shows it. */
export type Versioned<T> = { doc: T; revision: string };

/** The list's summary of a configuration. */
export type ListItem = { id: string; name: unknown; extension: unknown };

/** Keys a client may not write: the id, and Kazoo's private and read-only fields. */
const isWritableKey = (key: string): boolean =>
  key !== 'id' && !key.startsWith('_') && !key.startsWith('pvt_');

const nextRevision = (previous?: string): string =>
  `${previous ? Number.parseInt(previous, 10) + 1 : 1}-${crypto.randomBytes(16).toString('hex')}`;

/** Click-to-call configurations: CRUD with Kazoo's semantics and our fixes (README, Configuration fields). */
export class ClickToCallService {
  constructor(private readonly deps: ClickToCallServiceDeps) {}

  async create(accountId: string, body: unknown): Promise<Versioned<ClickToCallDoc>> {
    const doc = this.clean(body);
    const id = newId();
    const revision = nextRevision();
    await this.deps.repo.insert({
      id,
      account_id: accountId,
      doc,
      revision,
      now: this.deps.now().toISOString(),
    });
    await this.afterSave(accountId, id, doc);
    return { doc: { ...doc, id } as ClickToCallDoc, revision };
  }

  async get(accountId: string, id: string): Promise<Versioned<ClickToCallDoc>> {
    const row = await this.live(accountId, id);
    return { doc: { ...row.doc, id } as ClickToCallDoc, revision: row.revision };
  }

  /** The live configuration, or undefined (no error: for callers that must not reveal what exists). */
  async find(accountId: string, id: string): Promise<ClickToCallDoc | undefined> {
    return (await this.findVersioned(accountId, id))?.doc;
  }

  /** {@link find} with the revision. */
  async findVersioned(accountId: string, id: string): Promise<Versioned<ClickToCallDoc> | undefined> {
    const row = isId(id) ? await this.deps.repo.get(id, accountId) : undefined;
    return row && row.deleted_at === null
      ? { doc: { ...row.doc, id } as ClickToCallDoc, revision: row.revision }
      : undefined;
  }

  /** POST: every public field replaced by the body. */
  async replace(
    accountId: string,
    id: string,
    body: unknown,
    ifMatch?: string,
  ): Promise<Versioned<ClickToCallDoc>> {
    const row = await this.live(accountId, id, ifMatch);
    return this.save(row, this.clean(body));
  }

  /** PATCH: the body deep-merged into the stored document, then the result validated. */
  async patch(
    accountId: string,
    id: string,
    body: unknown,
    ifMatch?: string,
  ): Promise<Versioned<ClickToCallDoc>> {
    const row = await this.live(accountId, id, ifMatch);
    if (body === null || typeof body !== 'object' || Array.isArray(body)) throw dataNotAnObject();
    return this.save(row, this.clean(deepMerge(row.doc, body as Record<string, unknown>)));
  }

  /** Soft delete: the configuration disappears from the API, its history stays. */
  async remove(accountId: string, id: string, ifMatch?: string): Promise<Versioned<ClickToCallDoc>> {
    const row = await this.live(accountId, id, ifMatch);
    const revision = nextRevision(row.revision);
    if (!(await this.deps.repo.softDelete(id, row.revision, revision, this.deps.now().toISOString())))
      throw preconditionFailed('the configuration changed meanwhile');
    return { doc: { ...row.doc, id, _read_only: { deleted: true } } as unknown as ClickToCallDoc, revision };
  }

  /**
   * Live configurations, newest first (`ascending`: oldest first), through Kazoo's crossbar filters, which see each
   * configuration whole, as GET /{id} returns it (src/clicktocall/filters.ts); `created_` and `modified_` bounds read
   * its creation and its last change.
   */
  async list(accountId: string, options: ListOptions): Promise<ListPage<ListItem>> {
    const { start, pageSize } = pageWindow(options);
    const ascending = options.ascending === true;
    const { page, next } = await scanPage({
      read: (startSeq: number | undefined, limit) =>
        this.deps.repo.list({ accountId, ascending, startSeq, limit }),
      keyOf: (row) => row.seq,
      matches: (row) =>
        matchesAll(
          options.filters,
          { ...row.doc, id: row.id },
          { createdMs: Date.parse(row.created_at), modifiedMs: Date.parse(row.updated_at) },
        ),
      start,
      pageSize,
      filtered: options.filters.length > 0,
    });
    return {
      items: page.map((r) => ({ id: r.id, name: r.doc['name'], extension: r.doc['extension'] })),
      paginated: options.paginate,
      startKey: options.startKey,
      nextStartKey: next === undefined ? undefined : encodeKey(next),
    };
  }

  private async live(accountId: string, id: string, ifMatch?: string): Promise<ClickToCallRecord> {
    const row = isId(id) ? await this.deps.repo.get(id, accountId) : undefined;
    if (!row || row.deleted_at !== null) throw badIdentifier(id);
    if (ifMatch !== undefined && !revisionMatches(ifMatch, row.revision))
      throw preconditionFailed(`revision is ${row.revision}`);
    return row;
  }

  private async save(
    row: ClickToCallRecord,
    doc: Record<string, unknown>,
  ): Promise<Versioned<ClickToCallDoc>> {
    const revision = nextRevision(row.revision);
    if (!(await this.deps.repo.update(row.id, row.revision, doc, revision, this.deps.now().toISOString())))
      throw preconditionFailed('the configuration changed meanwhile');
    await this.afterSave(row.account_id, row.id, doc);
    return { doc: { ...doc, id: row.id } as ClickToCallDoc, revision };
  }

  /** What a save tells: a caller-id warning, and the status_callback's receiver named again. */
  private async afterSave(accountId: string, id: string, doc: Record<string, unknown>): Promise<void> {
    this.warnAboutSaved(accountId, id, doc);
    const url = (doc['status_callback'] as { url?: string } | undefined)?.url;
    if (url !== undefined) await this.deps.webhookStops?.unstop(accountId, url);
  }

  /** A saved configuration whose contacts would see the internal extension as the caller: said once per save. */
  private warnAboutSaved(accountId: string, id: string, doc: Record<string, unknown>): void {
    if (!contactSeesExtension(doc)) return;
    this.deps.logger?.warn(
      'caller id: the contact will see the extension as the calling number; set outbound_callee_id_number to a number the contact may call back',
      { account_id: accountId, clicktocall_id: id, extension: doc['extension'] },
    );
  }

  /** The writable part of a request body, validated (coerced, defaults written). */
  private clean(body: unknown): Record<string, unknown> {
    if (body === null || typeof body !== 'object' || Array.isArray(body)) throw dataNotAnObject();
    const doc = Object.fromEntries(Object.entries(body).filter(([key]) => isWritableKey(key)));
    this.deps.validate(doc);
    return doc;
  }
}

/** `If-Match` holds one or more revisions, quoted or not, or `*`. */
function revisionMatches(ifMatch: string, revision: string): boolean {
  return ifMatch
    .split(',')
    .map((t) =>
      t
        .trim()
        .replace(/^W\//, '')
        .replace(/^"(.*)"$/, '$1'),
    )
    .some((t) => t === '*' || t === revision);
}
