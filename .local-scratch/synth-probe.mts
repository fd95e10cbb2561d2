import { synthesizeTemplates } from '../local/stepfunctions/synthesize';
import { bindTemplates } from '../local/stepfunctions/template-bindings';
import { writeFileSync } from 'node:fs';
const t0 = Date.now();
const templates = await synthesizeTemplates();
console.log('synth ms', Date.now() - t0);
writeFileSync('/tmp/templates.json', JSON.stringify(templates, null, 1));
const b = bindTemplates(templates);
console.log(JSON.stringify({ ...b, functions: b.functions.map(f => `${f.logicalId} ${f.entry} ${f.timeoutMs}`) }, null, 1));
