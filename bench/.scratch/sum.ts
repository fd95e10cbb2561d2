import { readdirSync } from 'node:fs';
import { readProfile, summarizeProfile } from '../lib/cpu-profile';
const dir = '/tmp/benchscratch/prof';
const f = readdirSync(dir)[0]!;
const p = await readProfile(`${dir}/${f}`);
for (const s of summarizeProfile(p, '/work/main/').slice(0, 25)) console.log(s.selfMs.toFixed(0).padStart(7), (s.share * 100).toFixed(1).padStart(5), s.name);
console.log('---');
for (const s of summarizeProfile(p, '/work/main/', true).slice(0, 25)) console.log(s.selfMs.toFixed(0).padStart(7), (s.share * 100).toFixed(1).padStart(5), s.name);
