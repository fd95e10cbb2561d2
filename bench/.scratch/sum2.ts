import { readProfile, summarizeProfile } from '../lib/cpu-profile';
const p = await readProfile('/tmp/benchscratch/up.cpuprofile');
for (const x of summarizeProfile(p, '/work/main/', true).slice(0, 40)) console.log(x.selfMs.toFixed(0).padStart(7), (x.share * 100).toFixed(1).padStart(5), x.name);
