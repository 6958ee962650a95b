import type { HistoryRecord } from '../domain';
import type { HistoryRepository } from '../store/ports';

/** How many open records one read returns: a page is read and parsed in a few milliseconds. */
export const OPEN_PAGE_SIZE = 200;

/**
 * Visits every record whose call is not over, oldest first, a page at a time, yielding to the event loop between
 * pages: with tens of thousands of calls up, one read of them all (and the parse of every record) held the event
 * loop for hundreds of milliseconds, and every request waited (README, Performance). Records that close meanwhile
 * may still be visited; the visitor judges each by itself.
 */
export async function forEachOpenRecord(
  history: Pick<HistoryRepository, 'openPage'>,
  visit: (record: HistoryRecord) => Promise<void> | void,
  pageSize = OPEN_PAGE_SIZE,
): Promise<void> {
  let after = 0;
  for (;;) {
    const page = await history.openPage(after, pageSize);
    for (const record of page) await visit(record);
    if (page.length < pageSize) return;
    after = page[page.length - 1]?.seq ?? after;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}
