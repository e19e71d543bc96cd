// The test service: reads config.json at start; /health answers 200 only while the config says healthy.
// Started by the process runner (`node server.mjs`) in its own process group; logs go to the runner's log file.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';

let config;
try {
  config = JSON.parse(readFileSync('config.json', 'utf8'));
} catch (err) {
  console.error(`config.json: ${err.message}`);
  process.exit(1);
}
if (!Number.isInteger(config.port)) {
  console.error('config.json: port must be an integer');
  process.exit(1);
}
const greeting = readFileSync('src/greeting.txt', 'utf8').trim();

const server = createServer((req, res) => {
  if (req.url === '/health') {
    const healthy = config.healthy === true;
    res.writeHead(healthy ? 200 : 503, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ healthy }));
    return;
  }
  res.end(`${greeting}\n`);
});
// The time it listens goes to the log: the orchestrator-health benchmark measures verify from it.
server.listen(config.port, '127.0.0.1', () => console.log(`listening on ${config.port} at ${Date.now()}`));
if (config.healthy !== true) console.error('config.json: healthy is not true, /health answers 503');
