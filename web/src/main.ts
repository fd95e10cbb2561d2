import { VoiceNoteClient } from '../../client';
import { loadConfig, resolveWebSocketUrl, type ClientConfig } from './config';
import { byId, clearError } from './dom';
import { HistoryPanel } from './history-view';
import { NoteForm } from './note-view';
import { CLEAR_SAVED_HISTORY } from './offline-history';
import { preferences } from './preferences';
import { UsagePanel } from './usage-view';

/** Wires the page: key form, usage, note form, history, offline banner and the service worker. */
async function main(): Promise<void> {
  const config: ClientConfig = await loadConfig();
  const api = new VoiceNoteClient({
    baseUrl: config.apiBaseUrl,
    apiKey: preferences.apiKey,
    webSocketUrl: resolveWebSocketUrl(config.webSocketUrl, location),
  });
  const usage = new UsagePanel(api);
  const history = new HistoryPanel(api);
  const noteForm = new NoteForm({ api, onFinished: () => void refreshAll(usage, history) });

  const keyForm = byId<HTMLFormElement>('key-form');
  const keyInput = byId<HTMLInputElement>('api-key');
  keyInput.value = preferences.apiKey() ?? '';
  keyForm.addEventListener('submit', (event) => {
    event.preventDefault();
    const key = keyInput.value.trim();
    if (key !== preferences.apiKey()) clearSavedHistory();
    preferences.setApiKey(key || undefined);
    // "Paste your API key first", or the old key's refusal, no longer applies.
    noteForm.clearStaleError();
    void refreshAll(usage, history);
  });
  byId('forget-key').addEventListener('click', () => {
    preferences.setApiKey(undefined);
    keyInput.value = '';
    clearSavedHistory();
    usage.hide();
    history.clear();
    keyInput.focus();
  });
  byId('refresh-history').addEventListener('click', () => void history.reload());

  const banner = byId('offline');
  const showConnectivity = (): void => {
    banner.hidden = navigator.onLine;
  };
  addEventListener('online', () => {
    showConnectivity();
    void refreshAll(usage, history);
  });
  addEventListener('offline', showConnectivity);
  showConnectivity();

  if (preferences.apiKey()) void refreshAll(usage, history);
  registerServiceWorker();
}

async function refreshAll(usage: UsagePanel, history: HistoryPanel): Promise<void> {
  if (!preferences.apiKey()) return;
  clearError(byId('key-error'));
  // Offline, usage cannot be known but the saved history can still be shown.
  const usageOk = navigator.onLine ? await usage.refresh() : (usage.hide(), true);
  if (usageOk) await history.reload();
  else history.clear();
}

function clearSavedHistory(): void {
  navigator.serviceWorker?.controller?.postMessage(CLEAR_SAVED_HISTORY);
}

function registerServiceWorker(): void {
  if (!('serviceWorker' in navigator)) return;
  // After load, so installing the worker (which fetches the shell again) never competes with the first paint.
  const register = (): void => {
    navigator.serviceWorker.register('sw.js').catch(() => {
      // Offline support is a bonus; the page works without it.
    });
  };
  if (document.readyState === 'complete') register();
  else addEventListener('load', register, { once: true });
}

void main();
