import type { IBinaryData } from 'n8n-workflow';

import type { MessengerContext } from '../messengers/types';

/** Base64 characters decoded at a time from an in-memory binary: 192 KB of bytes, a multiple of 4. */
const BASE64_SLICE = 256 * 1024;

function* decodeBase64InSlices(base64: string): Generator<Uint8Array> {
	for (let start = 0; start < base64.length; start += BASE64_SLICE) {
		yield Buffer.from(base64.slice(start, start + BASE64_SLICE), 'base64');
	}
}

/** Something the stored copy's reader can be given back to when detection stops early. */
interface Closable {
	destroy?: () => void;
}

export interface StoredCopy {
	chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>;
	close(): void;
}

/**
 * Opens what n8n stored, through its own helpers, for one sequential read: in the
 * filesystem, database and S3 modes the stream `getBinaryStream` gives (never the whole
 * file in memory), in the default mode the item's base64 text, decoded a slice at a time.
 * Undefined when the context has no way to read it back (the type then stays as the
 * first bytes decided it).
 */
export async function openStoredCopy(context: MessengerContext, binary: IBinaryData): Promise<StoredCopy | undefined> {
	if (binary.id) {
		const getBinaryStream = (context.helpers as Partial<Pick<typeof context.helpers, 'getBinaryStream'>>).getBinaryStream;
		if (typeof getBinaryStream !== 'function') return undefined;
		const stream = await getBinaryStream.call(context.helpers, binary.id);
		return { chunks: stream as AsyncIterable<Uint8Array>, close: () => (stream as Closable).destroy?.() };
	}
	if (typeof binary.data === 'string' && binary.data.length > 0) {
		return { chunks: decodeBase64InSlices(binary.data), close: () => {} };
	}
	return undefined;
}
