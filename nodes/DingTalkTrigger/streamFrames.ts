/**
 * DingTalk Stream frames, as the official SDKs read and answer them: every frame from the
 * gateway is JSON `{specVersion, type, headers, data}` with `data` itself JSON text, and
 * every frame is answered `{code: 200, headers: {contentType, messageId}, message, data}`.
 */

export type FrameType = 'SYSTEM' | 'EVENT' | 'CALLBACK';

export interface StreamFrame {
	type: FrameType;
	headers: { messageId: string; topic: string; [name: string]: unknown };
	/** The payload as JSON text (Stream mode never parses it for us). */
	data: string;
}

export const SYSTEM_PING = 'ping';
export const SYSTEM_DISCONNECT = 'disconnect';

/** A frame from the gateway, or undefined when the text is not one (ignored, never fatal). */
export function parseFrame(text: string): StreamFrame | undefined {
	let value: unknown;
	try {
		value = JSON.parse(text);
	} catch {
		return undefined;
	}
	if (!value || typeof value !== 'object') return undefined;
	const frame = value as { type?: unknown; headers?: unknown; data?: unknown };
	if (frame.type !== 'SYSTEM' && frame.type !== 'EVENT' && frame.type !== 'CALLBACK') return undefined;
	const headers = (frame.headers && typeof frame.headers === 'object' ? frame.headers : {}) as Record<string, unknown>;
	return {
		type: frame.type,
		headers: { ...headers, messageId: String(headers.messageId ?? ''), topic: String(headers.topic ?? '') },
		data: typeof frame.data === 'string' ? frame.data : JSON.stringify(frame.data ?? {}),
	};
}

/** The answer to one frame. `data` is JSON text, as the gateway expects. */
export function ackFrame(frame: StreamFrame, data: unknown): string {
	return JSON.stringify({
		code: 200,
		headers: { contentType: 'application/json', messageId: frame.headers.messageId },
		message: 'OK',
		data: typeof data === 'string' ? data : JSON.stringify(data),
	});
}

/** What each kind of frame is answered with: a ping's own data echoed, a robot callback `{response: {}}`. */
export function ackData(frame: StreamFrame): unknown {
	if (frame.type === 'SYSTEM') return frame.data;
	if (frame.type === 'EVENT') return { status: 'SUCCESS' };
	return { response: {} };
}
