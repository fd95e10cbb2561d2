// Scratch-only: lets synthesis pass while functions/progress/authorize.ts does not exist yet.
import fs from 'node:fs';
import { FunctionHost } from '../local/lambda/function-host';
const missing = (p: unknown) => typeof p === 'string' && p.endsWith('functions/progress/authorize.ts');
const orig = fs.existsSync;
(fs as any).existsSync = (p: fs.PathLike) => (missing(p) ? true : orig(p));
const pre = FunctionHost.prototype.preload;
FunctionHost.prototype.preload = function (entries) { return pre.call(this, entries.filter((e) => !missing(e))); };
