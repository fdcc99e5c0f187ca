import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';

/**
 * Resident memory of another process in MB, read from /proc (Linux): cheap enough to check before
 * every batch. null elsewhere, or when the process is gone. ONNX Runtime allocates natively,
 * outside the JS heap cap, so only the OS's figure says how big the model process is.
 */
export function residentMbNow(pid: number): number | null {
  if (process.platform !== 'linux') return null;
  try {
    const kb = /^VmRSS:\s+(\d+) kB/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return kb ? Number(kb[1]) / 1024 : null;
  } catch {
    return null; // the process is gone: nothing to measure
  }
}

/** The same figure without blocking: /proc on Linux, `ps` on macOS; null on Windows. */
export function residentMb(pid: number): Promise<number | null> {
  if (process.platform === 'linux') return Promise.resolve(residentMbNow(pid));
  if (process.platform !== 'darwin') return Promise.resolve(null);
  return new Promise((resolve) => {
    execFile('ps', ['-o', 'rss=', '-p', String(pid)], { encoding: 'utf8' }, (error, stdout) => {
      const kb = Number(stdout.trim());
      resolve(error || !Number.isFinite(kb) || kb === 0 ? null : kb / 1024);
    });
  });
}

/** The model process's memory cap: FLYWHEEL_MODEL_MEMORY_MB, else half this machine's memory (at most 16 GiB). */
export function defaultModelMemoryMb(): number {
  const env = Number(process.env['FLYWHEEL_MODEL_MEMORY_MB']);
  if (Number.isFinite(env) && env > 0) return env;
  return Math.min(16_384, Math.round(os.totalmem() / 2 ** 20 / 2));
}
