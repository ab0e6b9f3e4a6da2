import { FormData } from 'formdata-node';

/** A file part of a multipart upload: its bytes are pulled only while the request body is written. */
export interface UploadFile {
	fileName: string;
	mimeType: string;
	/** Exact size in bytes: it goes into Content-Length before any byte is read. */
	size: number;
	/** Opens the bytes for one sequential read. */
	open(): Promise<AsyncIterable<Uint8Array>>;
}

export type MultipartField = { name: string; value: string } | { name: string; file: UploadFile };

/**
 * A Blob whose bytes come from `open()` as they are sent, never whole in memory. n8n's
 * HTTP helper (axios) encodes a spec FormData itself, asking each file part for its
 * `stream()` while writing the body, and computes Content-Length from the parts' sizes.
 */
function streamedBlob(file: UploadFile) {
	return {
		[Symbol.toStringTag]: 'Blob',
		type: file.mimeType,
		size: file.size,
		async *stream(): AsyncGenerator<Uint8Array> {
			let sent = 0;
			for await (const chunk of await file.open()) {
				sent += chunk.byteLength;
				yield chunk;
			}
			// Content-Length is already on the wire: a size that changed would leave the server waiting or cut the form.
			if (sent !== file.size) throw new Error(`the file changed while it was sent (${sent} of ${file.size} bytes)`);
		},
	};
}

/**
 * The options that make n8n's HTTP helper send a streamed multipart/form-data body.
 * Redirects stay off: following them makes axios keep the whole body in memory to replay it.
 */
export function multipartRequest(fields: MultipartField[]): { body: FormData; disableFollowRedirect: true } {
	const form = new FormData();
	for (const field of fields) {
		if ('file' in field) form.append(field.name, streamedBlob(field.file), field.file.fileName);
		else form.append(field.name, field.value);
	}
	return { body: form, disableFollowRedirect: true };
}
