/**
 * Embedding prices in US dollars per 1,000 tokens, per provider and model, for `plan` estimates. A model
 * not listed (self-hosted, new) has no known price: its cost is null rather than a guess.
 */
export const embeddingPricesPer1k: Record<string, Record<string, number>> = {
  openai: {
    'text-embedding-3-small': 0.00002,
    'text-embedding-3-large': 0.00013,
    'text-embedding-ada-002': 0.0001,
  },
  google: { 'text-embedding-004': 0, 'gemini-embedding-001': 0.00015 },
  // Local models cost nothing per token.
  ollama: {},
};

export function estimateCostUsd(provider: string, model: string, tokens: number): number | null {
  if (provider === 'ollama') return 0;
  const price = embeddingPricesPer1k[provider]?.[model];
  return price === undefined ? null : (tokens / 1000) * price;
}
