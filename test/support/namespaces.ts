/** Namespaces created at start-up; a test file uses the one of its vitest worker (VITEST_POOL_ID). */
export const TEST_NAMESPACES = Array.from({ length: 8 }, (_, i) => `test-${i + 1}`);

export function testNamespace(): string {
  const id = Number(process.env.VITEST_POOL_ID ?? process.env.VITEST_WORKER_ID ?? 1);
  return TEST_NAMESPACES[(id - 1) % TEST_NAMESPACES.length];
}
