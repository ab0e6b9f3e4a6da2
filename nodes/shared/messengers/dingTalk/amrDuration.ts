/**
 * AMR's duration, which music-metadata does not read: a small reader of the RFC 4867
 * storage format ("#!AMR\n" or "#!AMR-WB\n", then frames), streaming, nothing kept.
 */

/** Bytes per AMR frame (ToC byte included) by frame type, RFC 4867 §5.3 / 3GPP TS 26.101 and 26.201; 15 = no data. */
const AMR_NB_FRAME_BYTES = [13, 14, 16, 18, 20, 21, 27, 32, 6, 1, 1, 1, 1, 1, 1, 1];
const AMR_WB_FRAME_BYTES = [18, 24, 33, 37, 41, 47, 51, 59, 61, 6, 1, 1, 1, 1, 1, 1];
const AMR_NB_MAGIC = '#!AMR\n';
const AMR_WB_MAGIC = '#!AMR-WB\n';
/** Every AMR frame, speech or not, stands for 20 ms. */
const AMR_FRAME_MS = 20;

function startsWith(bytes: Uint8Array, text: string): boolean {
	if (bytes.length < text.length) return false;
	for (let index = 0; index < text.length; index++) if (bytes[index] !== text.charCodeAt(index)) return false;
	return true;
}

/**
 * Duration of an AMR file (RFC 4867 storage format, single channel): its frames times
 * 20 ms. Each frame starts with a ToC byte whose bits 3–6 give the frame type and so its
 * size. Undefined when the bytes are not AMR.
 */
export async function amrDurationMs(chunks: AsyncIterable<Uint8Array>): Promise<number | undefined> {
	let header: Uint8Array = new Uint8Array(0);
	let sizes: number[] | undefined;
	let frames = 0;
	/** Bytes of the current frame still to skip. */
	let skip = 0;
	for await (const chunk of chunks) {
		let bytes = chunk;
		if (!sizes) {
			const joined = new Uint8Array(header.length + bytes.length);
			joined.set(header);
			joined.set(bytes, header.length);
			if (joined.length < AMR_WB_MAGIC.length) {
				header = joined;
				continue;
			}
			const wideband = startsWith(joined, AMR_WB_MAGIC);
			if (!wideband && !startsWith(joined, AMR_NB_MAGIC)) return undefined;
			sizes = wideband ? AMR_WB_FRAME_BYTES : AMR_NB_FRAME_BYTES;
			bytes = joined.subarray(wideband ? AMR_WB_MAGIC.length : AMR_NB_MAGIC.length);
		}
		let position = skip;
		while (position < bytes.length) {
			frames++;
			position += sizes[(bytes[position] >> 3) & 0x0f];
		}
		skip = position - bytes.length;
	}
	return sizes ? frames * AMR_FRAME_MS : undefined;
}
