/**
 * Copies an element's text to the clipboard. Where the Clipboard API is missing or refused (a page served over
 * plain http from a LAN address, as a phone reaches a laptop's local stack, is not a secure context), the text
 * is selected instead so the reader can copy it with the device's own command.
 */
export async function copyText(source: HTMLElement): Promise<'copied' | 'selected'> {
  try {
    if (!navigator.clipboard) throw new Error('no Clipboard API');
    await navigator.clipboard.writeText(source.textContent ?? '');
    return 'copied';
  } catch {
    const range = document.createRange();
    range.selectNodeContents(source);
    const selection = getSelection();
    selection?.removeAllRanges();
    selection?.addRange(range);
    return 'selected';
  }
}
