export async function noop(stage: string): Promise<string> {
  return stage;
}
