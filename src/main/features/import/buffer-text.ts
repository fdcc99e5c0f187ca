/** The Buffer methods that `toString('latin1' | 'utf8', from, to)` ends in (Node's own, not in its typings). */
interface SlicingBuffer {
  latin1Slice?(from: number, to: number): string;
  utf8Slice?(from: number, to: number): string;
}

const slicing = Buffer.prototype as unknown as SlicingBuffer;
const direct = typeof slicing.latin1Slice === 'function' && typeof slicing.utf8Slice === 'function';

/**
 * `buf.toString(ascii ? 'latin1' : 'utf8', from, to)` for offsets already within the buffer.
 * toString's argument handling cost as much as the decoding of a short cell, and a CSV row
 * decodes a dozen of them; a runtime without the underlying methods gets toString itself.
 */
export function bufferText(buf: Buffer, from: number, to: number, ascii: boolean): string {
  if (!direct) return buf.toString(ascii ? 'latin1' : 'utf8', from, to);
  const b = buf as unknown as Required<SlicingBuffer>;
  return ascii ? b.latin1Slice(from, to) : b.utf8Slice(from, to);
}
