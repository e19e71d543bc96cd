import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/**
 * The custom search attributes the product defines: the one list used both by the launcher
 * (registered when it starts the dev server) and by the workflows (set at start, upserted on change).
 * Kept small and stable: Temporal servers budget keyword attributes per namespace.
 */
export const searchAttributes = {
  jobType: defineSearchAttributeKey('MoonMindJobType', SearchAttributeType.KEYWORD),
  status: defineSearchAttributeKey('MoonMindStatus', SearchAttributeType.KEYWORD),
  repository: defineSearchAttributeKey('MoonMindRepository', SearchAttributeType.KEYWORD),
  runtime: defineSearchAttributeKey('MoonMindRuntime', SearchAttributeType.KEYWORD),
  skill: defineSearchAttributeKey('MoonMindSkill', SearchAttributeType.KEYWORD),
  publishMode: defineSearchAttributeKey('MoonMindPublishMode', SearchAttributeType.KEYWORD),
  priority: defineSearchAttributeKey('MoonMindPriority', SearchAttributeType.INT),
  submitter: defineSearchAttributeKey('MoonMindSubmitter', SearchAttributeType.KEYWORD),
} as const;

/** `Name=Type` pairs in the form `temporal server start-dev --search-attribute` takes. */
export function searchAttributeCliArgs(): string[] {
  const cliType: Record<string, string> = {
    [SearchAttributeType.KEYWORD]: 'Keyword',
    [SearchAttributeType.INT]: 'Int',
    [SearchAttributeType.TEXT]: 'Text',
  };
  return Object.values(searchAttributes).flatMap((key) => [
    '--search-attribute',
    `${key.name}=${cliType[key.type]}`,
  ]);
}
