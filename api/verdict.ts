/**
 * A control's verdict, asked of the workflow right after its signal (Temporal answers the query after the
 * signal). On a loaded server the query may time out while the signal took effect: asked again a few times
 * before answering without a verdict (the request still applies when the workflow gets to it).
 */
export async function askVerdict<T>(query: () => Promise<T | null>, attempts = 3): Promise<T | null> {
  for (let i = 1; ; i++) {
    try {
      return await query();
    } catch {
      if (i >= attempts) return null;
      await new Promise((r) => setTimeout(r, 200 * i));
    }
  }
}
