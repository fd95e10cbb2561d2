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

// The reader's locale: thousands separators (10,000 / 10 000 / 10.000) and decimal marks as they expect them.
const integerFormat = new Intl.NumberFormat();
const oneDecimalFormat = new Intl.NumberFormat(undefined, { minimumFractionDigits: 1, maximumFractionDigits: 1 });

export function formatNumber(value: number): string {
  return integerFormat.format(value);
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${formatNumber(bytes)} B`;
  if (bytes < 1024 * 1024) return `${oneDecimalFormat.format(bytes / 1024)} KB`;
  return `${oneDecimalFormat.format(bytes / (1024 * 1024))} MB`;
}

const smoothScroll = (): ScrollBehavior => (matchMedia('(prefers-reduced-motion: reduce)').matches ? 'auto' : 'smooth');

/** Scrolls an element into view (smoothly unless the reader asked for reduced motion), e.g. on a phone. */
export function reveal(element: HTMLElement): void {
  element.scrollIntoView({ behavior: smoothScroll(), block: 'nearest' });
}

/**
 * Moves focus to `target` and brings it into view, unless the reader has since moved on to something outside
 * `within` (typing a key, reading history): a finished note must not pull them away from it.
 */
export function moveFocus(target: HTMLElement, within: readonly HTMLElement[]): void {
  const active = document.activeElement;
  if (active && active !== document.body && !within.some((area) => area.contains(active))) return;
  target.focus({ preventScroll: true });
  target.scrollIntoView({ behavior: smoothScroll(), block: 'start' });
}
