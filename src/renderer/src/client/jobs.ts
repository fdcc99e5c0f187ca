import type { ApiClient } from '../../../shared/api/client';
import type { JobStatus } from '../../../shared/features/app/contract';
import { inWords } from './messages';

/** Starts a job and resolves with its final status (progress shows in the top bar meanwhile). */
export async function runJob(
  client: ApiClient,
  start: () => Promise<{ jobId: string }>,
  onStarted?: (jobId: string) => void,
): Promise<JobStatus> {
  const { jobId } = await start();
  onStarted?.(jobId);
  for (;;) {
    const status = await client.call('jobs.get', { jobId });
    // A failed job's message in the same words as a refused call's.
    if (status.state !== 'running')
      return status.error ? { ...status, error: { ...status.error, message: inWords(status.error) } } : status;
    await new Promise((r) => setTimeout(r, 150));
  }
}
