/**
 * Browser mode stores an uploaded file as uploads/<yyyymmddThhmmss>-<6 hex>-<original name> (see
 * the server's upload handler), so a name read from the stored file's stem would carry that
 * prefix onto every screen. This gives the name the person chose the file by.
 */
const UPLOAD_PREFIX = /^\d{8}T\d{6}-[0-9a-f]{6}-(?=.)/;

/** A model name from a file or folder name: the upload prefix and the .onnx extension left out. */
export function modelNameFromFile(fileName: string): string {
  const stem = fileName.replace(/\.onnx$/i, '').replace(UPLOAD_PREFIX, '');
  return stem || fileName;
}
