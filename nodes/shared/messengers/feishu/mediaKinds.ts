import { MessageFileError } from '../../transport/errors';
import type { OutgoingFile, SentKind } from '../types';

/**
 * How Feishu takes a file, from its real type (facts/feishu.md §6, from Feishu's upload
 * and send pages): an image upload (`POST /im/v1/images`, ≤ 10 MB, JPG JPEG PNG WEBP GIF
 * BMP ICO TIFF HEIC) sent as an `image` message, or a file upload (`POST /im/v1/files`,
 * ≤ 30 MB) whose `file_type` fixes the message type: `mp4` only as `media`, `opus` only
 * as `audio` (230055 otherwise), every other type as `file`.
 */
export type FileType = 'opus' | 'mp4' | 'pdf' | 'doc' | 'xls' | 'ppt' | 'stream';
export type FeishuMessageType = 'image' | 'file' | 'audio' | 'media';

export type FeishuUpload =
	| { upload: 'image'; msgType: 'image'; kind: SentKind }
	| { upload: 'file'; fileType: FileType; msgType: Exclude<FeishuMessageType, 'image'>; kind: SentKind };

const MB = 1024 * 1024;
export const FEISHU_MAX_IMAGE_BYTES = 10 * MB;
export const FEISHU_MAX_FILE_BYTES = 30 * MB;

/** Extensions of the formats the image upload takes (TIFF and HEIC Feishu converts to JPG). */
const IMAGE_EXTENSIONS = new Set(['jpg', 'jpeg', 'jpe', 'png', 'webp', 'gif', 'bmp', 'ico', 'tif', 'tiff', 'heic']);

/** Office and PDF documents: Feishu's file types name the format family, old and new alike. */
const DOCUMENT_TYPES: Record<string, FileType> = {
	pdf: 'pdf',
	doc: 'doc',
	docx: 'doc',
	xls: 'xls',
	xlsx: 'xls',
	ppt: 'ppt',
	pptx: 'ppt',
};

function megabytes(bytes: number): string {
	const value = bytes / MB;
	return `${value >= 10 ? Math.round(value) : Math.round(value * 10) / 10} MB`;
}

function typeName(file: Pick<OutgoingFile, 'mimeType' | 'extension'>): string {
	return `${file.extension.toUpperCase()} (${file.mimeType})`;
}

export function isFeishuImage(file: Pick<OutgoingFile, 'extension'>): boolean {
	return IMAGE_EXTENSIONS.has(file.extension.toLowerCase());
}

/** Ogg may hold Opus or Vorbis: only the bytes' codec (read in the sender) makes it a voice message. */
export function isOgg(file: Pick<OutgoingFile, 'mimeType' | 'extension'>): boolean {
	return ['ogg', 'oga', 'opus'].includes(file.extension.toLowerCase()) || file.mimeType.toLowerCase() === 'audio/ogg';
}

/**
 * What the file becomes: `opus` says whether an Ogg file's codec is Opus (only then is it
 * an audio message; Vorbis goes as a file). Images over 10 MB go as files.
 */
export function feishuUploadOf(file: Pick<OutgoingFile, 'mimeType' | 'extension' | 'size'>, opus = false): FeishuUpload {
	const extension = file.extension.toLowerCase();
	if (isFeishuImage(file) && file.size <= FEISHU_MAX_IMAGE_BYTES) return { upload: 'image', msgType: 'image', kind: 'image' };
	if (extension === 'mp4' || extension === 'm4v') return { upload: 'file', fileType: 'mp4', msgType: 'media', kind: 'video' };
	if (opus && isOgg(file)) return { upload: 'file', fileType: 'opus', msgType: 'audio', kind: 'audio' };
	return { upload: 'file', fileType: DOCUMENT_TYPES[extension] ?? 'stream', msgType: 'file', kind: 'file' };
}

/** Refuses what Feishu would refuse, before any upload: an empty file, one over the 30 MB of a file upload. */
export function assertFeishuSendable(file: Pick<OutgoingFile, 'fileName' | 'mimeType' | 'extension' | 'size'>): void {
	if (file.size === 0) {
		throw new MessageFileError(`The file ${file.fileName} is empty`, {
			kind: 'input',
			description: 'Feishu refuses empty files (234010). Check the node before Send Message: it produced no bytes. Nothing was uploaded.',
		});
	}
	if (file.size > FEISHU_MAX_FILE_BYTES) {
		const image = isFeishuImage(file) ? ` Images over ${megabytes(FEISHU_MAX_IMAGE_BYTES)} go as files, so the file limit applies.` : '';
		throw new MessageFileError(
			`The ${typeName(file)} file is too large for Feishu (${megabytes(file.size)}; files up to ${megabytes(FEISHU_MAX_FILE_BYTES)})`,
			{
				kind: 'input',
				description: `Feishu's file upload takes up to ${megabytes(FEISHU_MAX_FILE_BYTES)}.${image} Compress or split the file, or share a link to it (e.g. a Feishu Drive link) in a text message. Nothing was uploaded.`,
			},
		);
	}
}
