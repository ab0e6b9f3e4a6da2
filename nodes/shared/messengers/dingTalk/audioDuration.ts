import { parseWebStream } from 'music-metadata';

import { byteStream } from '../../transport/byteStream';
import { amrDurationMs } from './amrDuration';

/**
 * Durations in milliseconds read from the bytes, for DingTalk's voice and video messages
 * (it shows the length the sender states). MP3, WAV and MP4 through music-metadata; AMR,
 * which music-metadata does not read, by counting its frames (below).
 */

/** Duration of an MP3, WAV or MP4 file in ms, or undefined when music-metadata cannot tell it. */
export async function mediaDurationMs(chunks: AsyncIterable<Uint8Array>, mimeType: string, size: number): Promise<number | undefined> {
	try {
		// duration: true makes it count an MP3's frames when no Xing/VBRI header states them.
		const metadata = await parseWebStream(byteStream(chunks), { mimeType, size }, { duration: true, skipCovers: true });
		const seconds = metadata.format.duration;
		return typeof seconds === 'number' && Number.isFinite(seconds) && seconds > 0 ? Math.round(seconds * 1000) : undefined;
	} catch {
		return undefined;
	}
}

/** Duration in ms of an AMR, MP3, WAV or MP4 file from its bytes. */
export async function durationFromBytes(open: () => Promise<AsyncIterable<Uint8Array>>, extension: string, mimeType: string, size: number): Promise<number | undefined> {
	if (extension === 'amr') return await amrDurationMs(await open());
	return await mediaDurationMs(await open(), mimeType, size);
}
