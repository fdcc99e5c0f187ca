import { ApiError } from '../../../shared/api/errors';
import { inWords } from './messages';
import { TOKEN_KEY } from './transports';

/**
 * Browser mode's "open folder": fetches one file of a recorded export with the access token (a
 * plain link could not send it) and hands it to the browser as a download.
 */
export async function downloadExportFile(exportId: number, file: string): Promise<void> {
  const token = sessionStorage.getItem(TOKEN_KEY) ?? '';
  const query = new URLSearchParams({ exportId: String(exportId), file });
  let res: Response;
  try {
    res = await fetch(`/api/export-file?${query.toString()}`, { headers: { Authorization: `Bearer ${token}` } });
  } catch {
    throw new ApiError('internal', 'The workbench did not answer: check that it is still running, then try again.');
  }
  if (!res.ok) {
    const body = (await res.json().catch(() => null)) as { error?: { code: ApiError['code']; message: string } } | null;
    const error = body?.error ?? { code: 'internal' as const, message: `the download failed (HTTP ${res.status})` };
    throw new ApiError(error.code, inWords(error));
  }
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = file.split('/').pop() ?? file;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
