/**
 * Browser downloads the views offer (chart PNG/CSV, study CSV/Markdown/PNG): one anchor click, the
 * same in Electron and in `ffr serve`'s browser page.
 */

/** Downloads `href` (a data: or blob: URL) under `name`. */
export function saveUrl(href: string, name: string): void {
  const a = document.createElement('a');
  a.href = href;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
}

/** Downloads text as a file; the blob URL is released once the download has started. */
export function saveText(text: string, name: string, type: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  saveUrl(url, name);
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
