/** What every paged list endpoint answers beside its items: absent on the last page. */
export interface PageTail {
  nextCursor?: string;
}

/** `?limit=&cursor=` for a page request; the server's default page (50) when neither is given. */
export function pageQuery(cursor?: string, limit?: number): Record<string, string> {
  return { ...(cursor ? { cursor } : {}), ...(limit ? { limit: String(limit) } : {}) };
}

/**
 * Every item of a paged list, 200 a page (the server's maximum), for pickers
 * that need the whole set (user pickers); lists a person reads use "Show more".
 */
export async function allPages<T>(
  fetchPage: (cursor: string | undefined) => Promise<{ items: T[] } & PageTail>,
): Promise<T[]> {
  const out: T[] = [];
  let cursor: string | undefined;
  do {
    const page = await fetchPage(cursor);
    out.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return out;
}
