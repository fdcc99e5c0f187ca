import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';

/**
 * Resident memory of another process in MB, or null where it cannot be read (Windows). ONNX
 * Runtime allocates natively, outside the JS heap cap, so only the OS's figure says how big it is.
 */
export function residentMb(pid: number): number | null {
  try {
    if (process.platform === 'linux') {
      const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
      const kb = /^VmRSS:\s+(\d+) kB/m.exec(status);
      return kb ? Number(kb[1]) / 1024 : null;
    }
    if (process.platform === 'darwin') {
      const kb = Number(execFileSync('ps', ['-o', 'rss=', '-p', String(pid)], { encoding: 'utf8' }).trim());
      return Number.isFinite(kb) ? kb / 1024 : null;
    }
  } catch {
    // the process is gone: nothing to measure
  }
  return null;
}

/** The model process's memory cap: FLYWHEEL_MODEL_MEMORY_MB, else half this machine's memory (at most 16 GiB). */
export function defaultModelMemoryMb(): number {
  const env = Number(process.env['FLYWHEEL_MODEL_MEMORY_MB']);
  if (Number.isFinite(env) && env > 0) return env;
  return Math.min(16_384, Math.round(os.totalmem() / 2 ** 20 / 2));
}
