/**
 * Splits a byte stream into text lines with bounded memory, whatever the stream's size.
 * Hand-written rather than node:readline because it runs on the eval hot path (millions of
 * short lines) where readline's per-line event machinery costs several times more.
 */
export async function* readLines(stream: AsyncIterable<Uint8Array | string>): AsyncGenerator<string> {
  for await (const lines of readLineBatches(stream)) yield* lines;
}

/**
 * The same lines, one array per chunk of the stream: a consumer of millions of lines loops over
 * them synchronously instead of paying an async generator step (a microtask) per line, which cost
 * mlops_eval about a fifth of its time (docs/PERFORMANCE.md).
 */
export async function* readLineBatches(stream: AsyncIterable<Uint8Array | string>): AsyncGenerator<string[]> {
  const decoder = new TextDecoder('utf-8');
  let carry = '';
  for await (const chunk of stream) {
    const text = carry + (typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true }));
    const lines: string[] = [];
    let start = 0;
    let newline = text.indexOf('\n', start);
    while (newline !== -1) {
      const end = newline > start && text.charCodeAt(newline - 1) === 13 ? newline - 1 : newline;
      lines.push(text.slice(start, end));
      start = newline + 1;
      newline = text.indexOf('\n', start);
    }
    carry = text.slice(start);
    if (lines.length > 0) yield lines;
  }
  carry += decoder.decode();
  if (carry.endsWith('\r')) carry = carry.slice(0, -1);
  if (carry.length > 0) yield [carry];
}
