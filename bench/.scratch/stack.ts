import { startBenchStack } from '../lib/local-stack';
const s = await startBenchStack(console.log);
console.log(s.url, s.keys);
const r = await fetch(s.url + '/health'); console.log(r.status, await r.text());
await s.stop();
console.log('stopped');
