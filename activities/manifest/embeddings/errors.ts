/**
 * Why an embedding call failed, in words safe to log and to put in events: the provider, the status or the
 * network cause, never the API key nor any text sent (a server's message that quotes either is withheld).
 */
export class EmbeddingError extends Error {
  override name = 'EmbeddingError';
  constructor(
    message: string,
    /** True when retrying cannot help (bad request, bad key, dimension mismatch, a setting missing). */
    readonly permanent: boolean,
    /** The HTTP status of the last answer, when there was one. */
    readonly status?: number,
  ) {
    super(message);
  }
}

const MAX_SERVER_MESSAGE = 200;
/** A server message sharing this many characters in a row with the key or a text is quoting it. */
const QUOTE_WINDOW = 12;

/**
 * A server's error message fit to repeat: cut short, and withheld whole when it quotes the key or any text
 * of the batch (servers echo inputs and partly masked keys; a partial quote is still content).
 */
export function serverMessage(message: string, sensitive: readonly string[]): string {
  const flat = message
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, MAX_SERVER_MESSAGE * 2);
  for (let i = 0; i + QUOTE_WINDOW <= flat.length; i++) {
    const window = flat.slice(i, i + QUOTE_WINDOW);
    if (sensitive.some((s) => s.includes(window))) return '(server message withheld: it quotes the request)';
  }
  // Short keys or texts slip under the window: replace them outright.
  let out = flat;
  for (const s of sensitive)
    if (s.length >= 4 && s.length < QUOTE_WINDOW) out = out.split(s).join('[redacted]');
  return out.length > MAX_SERVER_MESSAGE ? `${out.slice(0, MAX_SERVER_MESSAGE)}…` : out;
}
