import { parseWebStream } from 'music-metadata';

import { byteStream } from '../transport/byteStream';

/**
 * What music-metadata reads from an audio or video file's bytes: its length and codec.
 * Messengers state the length of a voice or video message themselves (DingTalk's
 * sampleAudio, Feishu's upload `duration`), and Feishu's audio must be Opus, which the
 * container (`audio/ogg`) alone does not tell from Vorbis.
 */
export interface MediaFormat {
	/** Duration in ms, when the bytes tell it. */
	durationMs?: number;
	/** music-metadata's codec name (`Opus`, `Vorbis I`, `MPEG-4/AAC`…). */
	codec?: string;
}

/** Duration and codec of an MP3, WAV, Ogg or MP4 file; empty when music-metadata cannot read it. */
export async function mediaFormat(chunks: AsyncIterable<Uint8Array>, mimeType: string, size: number): Promise<MediaFormat> {
	try {
		// duration: true makes it count an MP3's frames when no Xing/VBRI header states them.
		const metadata = await parseWebStream(byteStream(chunks), { mimeType, size }, { duration: true, skipCovers: true });
		const seconds = metadata.format.duration;
		return {
			durationMs: typeof seconds === 'number' && Number.isFinite(seconds) && seconds > 0 ? Math.round(seconds * 1000) : undefined,
			codec: metadata.format.codec,
		};
	} catch {
		return {};
	}
}

/** Duration of an MP3, WAV, Ogg or MP4 file in ms, or undefined when music-metadata cannot tell it. */
export async function mediaDurationMs(chunks: AsyncIterable<Uint8Array>, mimeType: string, size: number): Promise<number | undefined> {
	return (await mediaFormat(chunks, mimeType, size)).durationMs;
}
