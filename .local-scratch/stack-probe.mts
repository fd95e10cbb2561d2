import './patch.mts';
import { startLocalStack } from '../local/stack';
import { makeAudio } from '../test/helpers/audio-fixtures';
const t0 = Date.now();
const stack = await startLocalStack({ port: 0, stateDir: '/tmp/vnt-probe', fresh: true });
console.log('started in', Date.now() - t0, stack.url, stack.keys);
const h0 = Date.now();
const health = await fetch(stack.url + '/health');
console.log('health', health.status, await health.text(), Date.now() - h0, 'ms');
const key = stack.keys.premium;
const file = await makeAudio('m4a', '/tmp');
const audio = (await import('node:fs')).readFileSync(file);
const c0 = Date.now();
const created = await (await fetch(stack.url + '/uploads', { method: 'POST', headers: { 'x-api-key': key, 'content-type': 'application/json' }, body: JSON.stringify({ contentType: 'audio/mp4', sizeBytes: audio.length, targetLanguage: 'es' }) })).json() as any;
console.log('created', Date.now() - c0, 'ms', created.jobId);
const form = new FormData();
for (const [n, v] of Object.entries(created.upload.fields)) form.append(n, v as string);
form.append('file', new Blob([audio], { type: 'audio/mp4' }), 'x.m4a');
const up = await fetch(created.upload.url, { method: 'POST', body: form });
console.log('upload', up.status);
let last = '';
for (let i = 0; i < 300; i++) {
  const job = await (await fetch(`${stack.url}/jobs/${created.jobId}`, { headers: { 'x-api-key': key } })).json() as any;
  if (job.status !== last) { console.log(Date.now() - c0, 'ms', job.status, JSON.stringify(job.result ?? job.error ?? '')); last = job.status; }
  if (job.status === 'completed' || job.status === 'failed') break;
  await new Promise((r) => setTimeout(r, 100));
}
const s0 = Date.now();
await stack.stop();
console.log('stopped in', Date.now() - s0);
