/** The local stack's console output: one line per event, errors always shown, chatter only when not quiet. */
export interface LocalLog {
  info(line: string): void;
  error(error: unknown, context: string): void;
}

export function consoleLog(quiet: boolean): LocalLog {
  return {
    info: (line) => {
      if (!quiet) console.log(line);
    },
    error: (error, context) => {
      const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
      console.error(`[local] ${context}: ${detail}`);
    },
  };
}
