import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Transform } from 'node:stream';
import zlib from 'node:zlib';
import { openRegularFile } from '../../io/safe-open';
import { GZIP_RATIO_FLOOR_BYTES, gzipRatioMessage } from './bomb-limits';
import type { ParseJob } from './parse-protocol';
import { FileProblem, type RecordConsumer } from './record-consumer';

/**
 * The file's bytes, decompressed when gzip and capped in decompressed size and in expansion
 * ratio, so a gzip bomb can neither fill memory or disk nor keep the import busy for hours. The first shard hashes the raw bytes as they pass (sha256 of the
 * file as read), for the host to record without reading the file a second time.
 */
export function openSource(job: ParseJob, consumer: RecordConsumer): AsyncIterable<Buffer> {
  const name = path.basename(job.path);
  let fd: number;
  try {
    ({ fd } = openRegularFile(job.path, 'prediction log'));
  } catch (e) {
    throw new FileProblem((e as Error).message);
  }
  const file = fs.createReadStream(job.path, { fd, highWaterMark: 1 << 20 });
  const hash = job.shardIndex === 0 ? createHash('sha256') : null;
  let compressed = 0;
  const counting = new Transform({
    transform(chunk: Buffer, _enc, done) {
      compressed += chunk.length;
      if (job.compression === 'none') consumer.bytesRead += chunk.length;
      hash?.update(chunk);
      done(null, chunk);
    },
    flush(done) {
      if (hash) consumer.sha256 = hash.digest('hex');
      done();
    },
  });
  let stream: NodeJS.ReadableStream = file.pipe(counting);
  file.on('error', (e) => counting.destroy(e));
  if (job.compression === 'gzip') {
    let inflated = 0;
    const gunzip = zlib.createGunzip({ chunkSize: 1 << 20 });
    const capped = new Transform({
      transform(chunk: Buffer, _enc, done) {
        inflated += chunk.length;
        consumer.bytesRead = inflated;
        if (inflated > job.maxDecompressedBytes) {
          done(
            new FileProblem(
              `${name}: decompresses to more than ${job.maxDecompressedBytes} bytes (the cap); refusing it`,
            ),
          );
        } else if (inflated > GZIP_RATIO_FLOOR_BYTES && inflated > job.maxGzipRatio * compressed) {
          // `compressed` counts what was read, which runs ahead of what was inflated: the ratio
          // judged is at most the true one.
          done(new FileProblem(gzipRatioMessage(name, inflated, compressed, job.maxGzipRatio)));
        } else done(null, chunk);
      },
    });
    counting.on('error', (e) => gunzip.destroy(e));
    gunzip.on('error', (e) =>
      capped.destroy(
        e instanceof FileProblem
          ? e
          : new FileProblem(
              `${name}: gzip data is truncated or corrupt after ${consumer.records} records (${e.message})`,
            ),
      ),
    );
    stream = counting.pipe(gunzip).pipe(capped);
  }
  return stream as AsyncIterable<Buffer>;
}
