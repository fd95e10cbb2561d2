import { readFileSync } from 'node:fs';

/**
 * Calls `onGone` when the process that launched ours disappears. `npm start` runs `sh -c "node --import tsx …"`:
 * a SIGTERM sent to npm alone kills that shell without forwarding the signal, which would leave this process
 * running (and the port taken). The shell is our parent, so the launcher to watch is our grandparent (npm):
 * when either goes, the pid recorded here no longer matches. Linux only (/proc); a no-op elsewhere.
 */
export function watchLauncher(onGone: () => void, intervalMs = 1_000): () => void {
  const launcher = parentOf(process.ppid);
  if (launcher === undefined || launcher <= 1) return () => undefined;
  const timer = setInterval(() => {
    if (parentOf(process.ppid) !== launcher) {
      clearInterval(timer);
      onGone();
    }
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}

/** The parent pid of `pid` from /proc/<pid>/stat (the field after the parenthesised command name). */
export function parentOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return undefined;
  }
}
