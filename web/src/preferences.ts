/** What the page remembers in localStorage. Storage can be disabled (private mode), so every access is guarded. */
const KEY_ITEM = 'vnt.apiKey';
const TARGET_ITEM = 'vnt.targetLanguage';

/** Fallback when storage is unavailable: the values still apply for this visit. */
const memory = new Map<string, string>();

function read(item: string): string | undefined {
  try {
    return localStorage.getItem(item) ?? undefined;
  } catch {
    return memory.get(item);
  }
}

function write(item: string, value: string | undefined): void {
  if (value === undefined) memory.delete(item);
  else memory.set(item, value);
  try {
    if (value === undefined) localStorage.removeItem(item);
    else localStorage.setItem(item, value);
  } catch {
    // Kept in memory only.
  }
}

export const preferences = {
  apiKey: (): string | undefined => read(KEY_ITEM),
  setApiKey: (key: string | undefined): void => write(KEY_ITEM, key),
  targetLanguage: (): string | undefined => read(TARGET_ITEM),
  setTargetLanguage: (code: string): void => write(TARGET_ITEM, code),
};
