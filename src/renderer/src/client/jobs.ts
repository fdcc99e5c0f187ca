import type { ApiClient } from '../../../shared/api/client';
import type { JobStatus } from '../../../shared/features/app/contract';

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
    if (status.state !== 'running') return status;
    await new Promise((r) => setTimeout(r, 150));
  }
}
