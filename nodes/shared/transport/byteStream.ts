/**
 * A byte stream over the chunks, for parsers that read web streams (file-type,
 * music-metadata). They read through a BYOB reader when they can (a default stream makes
 * them fall back by catching a TypeError, which fails where globals come from another
 * realm, as under jest). Each chunk is copied: enqueueing transfers its memory, and a
 * chunk may share a pooled buffer.
 */
export function byteStream(chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>): ReadableStream<Uint8Array> {
	const iterator = Symbol.asyncIterator in chunks ? chunks[Symbol.asyncIterator]() : chunks[Symbol.iterator]();
	return new ReadableStream({
		type: 'bytes',
		async pull(controller: ReadableByteStreamController) {
			for (;;) {
				const { value, done } = await iterator.next();
				if (done) {
					controller.close();
					// A reader waiting with its own buffer is only released by an answer of 0 bytes.
					// (@types/node 20 types byobRequest as always undefined; Node sets it.)
					(controller.byobRequest as unknown as { respond(bytesWritten: number): void } | null | undefined)?.respond(0);
					return;
				}
				if (value.length === 0) continue;
				controller.enqueue(new Uint8Array(value));
				return;
			}
		},
		async cancel() {
			await iterator.return?.();
		},
	});
}
