import { mediaDurationMs } from '../mediaFormat';
import { amrDurationMs } from './amrDuration';

/**
 * Durations in milliseconds read from the bytes, for DingTalk's voice and video messages
 * (it shows the length the sender states). MP3, WAV and MP4 through music-metadata
 * (../mediaFormat.ts, shared with Feishu); AMR, which music-metadata does not read, by
 * counting its frames.
 */

/** Duration in ms of an AMR, MP3, WAV or MP4 file from its bytes. */
export async function durationFromBytes(open: () => Promise<AsyncIterable<Uint8Array>>, extension: string, mimeType: string, size: number): Promise<number | undefined> {
	if (extension === 'amr') return await amrDurationMs(await open());
	return await mediaDurationMs(await open(), mimeType, size);
}
