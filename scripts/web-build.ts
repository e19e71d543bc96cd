import { build } from 'vite';

/** Build the dashboard into dist/web (the API serves it); the same as `npm run build`. */
export async function buildDashboard(log: (line: string) => void): Promise<void> {
  log('building the dashboard (dist/web)…');
  await build({ configFile: 'web/vite.config.ts', logLevel: 'warn' });
}
