// The test service's build: config.json must be JSON with an integer port; writes dist/build-stamp.json.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';

let config;
try {
  config = JSON.parse(readFileSync('config.json', 'utf8'));
} catch (err) {
  console.error(`build failed: config.json is not valid JSON: ${err.message}`);
  process.exit(1);
}
if (!Number.isInteger(config.port)) {
  console.error('build failed: config.json: port must be an integer');
  process.exit(1);
}
mkdirSync('dist', { recursive: true });
writeFileSync('dist/build-stamp.json', `${JSON.stringify({ builtAt: new Date().toISOString(), config })}\n`);
console.log('build ok: dist/build-stamp.json written');
