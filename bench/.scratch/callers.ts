import { readdirSync, readFileSync } from 'node:fs';
const dir = '/tmp/benchscratch/p2';
const p = JSON.parse(readFileSync(`${dir}/${readdirSync(dir)[0]}`, 'utf8'));
const byId = new Map<number, any>(p.nodes.map((n: any) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const hits = new Map<number, number>();
p.samples.forEach((id: number, i: number) => hits.set(id, (hits.get(id) ?? 0) + p.timeDeltas[i] / 1000));
const target = process.argv[2]!;
const agg = new Map<string, number>();
for (const [id, ms] of hits) {
  const n = byId.get(id);
  if (!(`${n.callFrame.url} ${n.callFrame.functionName}`.includes(target))) continue;
  const chain: string[] = [];
  let cur = parent.get(id);
  while (cur !== undefined && chain.length < 12) {
    const c = byId.get(cur).callFrame;
    const u = c.url.replace(/.*node_modules\//, '').replace('file:///work/main/', '');
    if (u) chain.push(`${c.functionName || '?'}@${u.split('/').slice(0, 3).join('/')}:${c.lineNumber + 1}`);
    cur = parent.get(cur);
  }
  const key = chain.slice(0, 6).join(' < ');
  agg.set(key, (agg.get(key) ?? 0) + ms);
}
for (const [k, v] of [...agg.entries()].sort((a, b) => b[1] - a[1]).slice(0, 8)) console.log(v.toFixed(0), k, '\n');
