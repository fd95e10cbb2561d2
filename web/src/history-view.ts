import type { JobView, VoiceNoteClient } from '../../client';
import { byId, clearError, el, formatDate, formatNumber, showError } from './dom';
import { describeError } from './error-messages';
import { languageName } from './languages';
import { savedAtOf } from './offline-history';

const PAGE_SIZE = 10;

/** The caller's notes, newest first, paged with the API's opaque cursor; each can be deleted. */
export class HistoryPanel {
  private readonly list = byId<HTMLUListElement>('history');
  private readonly more = byId<HTMLButtonElement>('load-more');
  private readonly status = byId('history-status');
  private readonly errors = byId('history-error');
  private readonly heading = byId('history-heading');
  private readonly empty = byId('history-empty');
  private cursor: string | undefined;
  /** Drops answers to superseded requests (a refresh while "load more" is in flight). */
  private generation = 0;

  constructor(private readonly api: VoiceNoteClient) {
    this.more.addEventListener('click', () => void this.loadMore());
  }

  async reload(): Promise<void> {
    const generation = ++this.generation;
    this.cursor = undefined;
    this.status.textContent = 'Loading history…';
    try {
      const page = await this.api.listJobs({ limit: PAGE_SIZE });
      if (generation !== this.generation) return;
      clearError(this.errors);
      const savedAt = savedAtOf(page);
      // An offline copy cannot be changed: its delete buttons stay disabled.
      this.list.replaceChildren(...page.items.map((job) => this.item(job, savedAt !== undefined)));
      this.cursor = page.nextCursor ?? undefined;
      this.more.hidden = !this.cursor || savedAt !== undefined;
      this.status.textContent = savedAt ? `Offline: showing the history saved ${formatDate(savedAt)}.` : '';
      this.showEmptyState();
    } catch (error) {
      if (generation !== this.generation) return;
      this.status.textContent = '';
      showError(this.errors, error);
    }
  }

  async loadMore(): Promise<void> {
    if (!this.cursor) return;
    const generation = this.generation;
    this.more.disabled = true;
    try {
      const page = await this.api.listJobs({ limit: PAGE_SIZE, cursor: this.cursor });
      if (generation !== this.generation) return;
      clearError(this.errors);
      const items = page.items.map((job) => this.item(job));
      this.list.append(...items);
      this.cursor = page.nextCursor ?? undefined;
      this.more.hidden = !this.cursor;
      this.status.textContent = `${formatNumber(this.list.children.length)} notes shown.`;
      // Keep keyboard users where the new content starts.
      items[0]?.querySelector('button')?.focus();
    } catch (error) {
      showError(this.errors, error);
    } finally {
      this.more.disabled = false;
    }
  }

  clear(): void {
    this.generation++;
    this.cursor = undefined;
    this.list.replaceChildren();
    this.more.hidden = true;
    this.status.textContent = '';
    this.empty.hidden = true;
    clearError(this.errors);
  }

  /** "No notes yet" whenever a loaded list is empty: a new key, or after deleting the last note. */
  private showEmptyState(): void {
    this.empty.hidden = this.list.children.length > 0;
  }

  private item(job: JobView, readOnly = false): HTMLLIElement {
    const when = formatDate(job.createdAt);
    const meta = [when, statusText(job), `to ${languageName(job.targetLanguage)}`];
    if (job.result) meta.push(`spoken ${languageName(job.result.detectedLanguage)}`);
    if (job.result?.cached) meta.push('from cache');
    const remove = el('button', { type: 'button', class: 'quiet', 'aria-label': `Delete note from ${when}` }, 'Delete');
    remove.disabled = readOnly;
    const li = el('li', { 'data-job-id': job.jobId }, el('p', { class: 'meta' }, meta.join(' · ')), remove);
    if (job.result) {
      li.append(
        el(
          'dl',
          { class: 'texts' },
          el('dt', {}, 'Transcript'),
          el('dd', { class: 'transcript', lang: job.result.detectedLanguage }, job.result.transcript),
          el('dt', {}, 'Translation'),
          el('dd', { class: 'translation', lang: job.targetLanguage }, job.result.translation),
        ),
      );
    } else if (job.error) {
      li.append(el('p', { class: 'failure' }, `${describeError(job.error)} (${job.error.code})`));
    }
    remove.addEventListener('click', () => void this.remove(job, li, remove));
    return li;
  }

  private async remove(job: JobView, li: HTMLLIElement, button: HTMLButtonElement): Promise<void> {
    button.disabled = true;
    try {
      await this.api.deleteJob(job.jobId);
      clearError(this.errors);
      const next = (li.nextElementSibling ?? li.previousElementSibling)?.querySelector('button');
      li.remove();
      this.status.textContent = 'Note deleted.';
      this.showEmptyState();
      (next ?? this.heading).focus();
    } catch (error) {
      button.disabled = false;
      showError(this.errors, error);
    }
  }
}

function statusText(job: JobView): string {
  switch (job.status) {
    case 'completed':
      return 'done';
    case 'failed':
      return 'failed';
    case 'awaiting_upload':
      return 'waiting for upload';
    default:
      return job.status;
  }
}
