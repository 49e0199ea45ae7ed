/** Collects at most `max` bytes of a stream; the rest is dropped and `truncated` set. */
export function boundedCollector(max: number) {
  const chunks: Buffer[] = [];
  let size = 0;
  let truncated = false;
  return {
    push(chunk: Buffer) {
      if (size >= max) {
        truncated = true;
        return;
      }
      const part = chunk.subarray(0, max - size);
      if (part.length < chunk.length) truncated = true;
      chunks.push(part);
      size += part.length;
    },
    text: () => Buffer.concat(chunks).toString('utf8'),
    get truncated() {
      return truncated;
    },
  };
}
