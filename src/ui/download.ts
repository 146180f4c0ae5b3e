/** Saving something the page made as a file: a URL (a PNG data URL) or a Blob. */

export function downloadUrl(filename: string, href: string): void {
  const link = document.createElement('a');
  link.href = href;
  link.download = filename;
  link.click();
}

export function downloadBlob(filename: string, blob: Blob): void {
  const url = URL.createObjectURL(blob);
  downloadUrl(filename, url);
  // The click has started the download; the URL is not needed after this task.
  setTimeout(() => URL.revokeObjectURL(url), 0);
}

/** The files one action saves, each its own download, in order. */
export function downloadBlobs(files: readonly { fileName: string; blob: Blob }[]): void {
  for (const { fileName, blob } of files) downloadBlob(fileName, blob);
}
