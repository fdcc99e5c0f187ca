import { TOKEN_KEY } from './transports';

/**
 * Browser mode's file picker: streams the chosen file to the workbench server, which keeps it in
 * its data folder and answers with the path the import or model steps then take.
 */
export function uploadFile(file: File, onProgress: (fraction: number) => void): Promise<string> {
  const token = sessionStorage.getItem(TOKEN_KEY) ?? '';
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `/api/upload?name=${encodeURIComponent(file.name)}`);
    xhr.setRequestHeader('Authorization', `Bearer ${token}`);
    xhr.setRequestHeader('Content-Type', 'application/octet-stream');
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) onProgress(e.loaded / e.total);
    };
    xhr.onload = () => {
      try {
        const body = JSON.parse(xhr.responseText) as
          { ok: true; value: { path: string } } | { ok: false; error: { message: string } };
        if (body.ok) resolve(body.value.path);
        else reject(new Error(body.error.message));
      } catch {
        reject(new Error(`upload of ${file.name} failed (HTTP ${xhr.status})`));
      }
    };
    xhr.onerror = () => reject(new Error(`upload of ${file.name} failed: the workbench server did not answer`));
    xhr.send(file);
  });
}
