import { toApiError } from '../../client';
import { describeError } from './error-messages';

/** The element with this id; the page template guarantees it exists, so a miss is a programming error. */
export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const element = document.getElementById(id);
  if (!element) throw new Error(`#${id} is missing from index.html`);
  return element as T;
}

/** Creates an element with text content and attributes; children are appended in order. */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Record<string, string> = {},
  ...children: (Node | string)[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
  element.append(...children);
  return element;
}

/** Puts an error into a role="alert" region: plain words, then the stable code for support. */
export function showError(region: HTMLElement, error: unknown): void {
  const apiError = toApiError(error);
  region.replaceChildren(
    el('span', { class: 'message' }, describeError(apiError)),
    ' ',
    el('code', { 'data-code': apiError.code }, `(${apiError.code})`),
  );
}

export function clearError(region: HTMLElement): void {
  region.replaceChildren();
}

const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

export function formatDate(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : dateFormat.format(date);
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}
