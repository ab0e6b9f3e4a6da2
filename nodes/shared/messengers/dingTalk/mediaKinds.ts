import { MessageFileError } from '../../transport/errors';
import type { OutgoingFile, SentKind } from '../types';

/**
 * What DingTalk's media upload takes, by upload type (its "upload media files" page):
 * image ≤ 20 MB (jpg, gif, png, bmp), voice ≤ 2 MB (amr, mp3, wav), video ≤ 20 MB (mp4),
 * file ≤ 20 MB (doc, docx, xls, xlsx, ppt, pptx, zip, pdf, rar). Nothing else can be sent
 * as a robot message with a file in it.
 */
export type UploadType = 'image' | 'voice' | 'video' | 'file';

const MB = 1024 * 1024;

interface MediaRule {
	extensions: readonly string[];
	maxBytes: number;
	/** The output's kind for the message. */
	kind: SentKind;
	/** How the error names it. */
	label: string;
}

export const MEDIA_RULES: Record<UploadType, MediaRule> = {
	image: { extensions: ['jpg', 'png', 'gif', 'bmp'], maxBytes: 20 * MB, kind: 'image', label: 'images' },
	voice: { extensions: ['amr', 'mp3', 'wav'], maxBytes: 2 * MB, kind: 'audio', label: 'voice' },
	video: { extensions: ['mp4'], maxBytes: 20 * MB, kind: 'video', label: 'video' },
	file: {
		extensions: ['doc', 'docx', 'xls', 'xlsx', 'ppt', 'pptx', 'zip', 'pdf', 'rar'],
		maxBytes: 20 * MB,
		kind: 'file',
		label: 'files',
	},
};

/** Extensions the type detection may give for the same formats. */
const SAME_FORMAT: Record<string, string> = { jpeg: 'jpg', jpe: 'jpg', mpga: 'mp3', m4v: 'mp4' };

/** The upload type DingTalk takes this real extension as, or undefined when it takes it as none. */
export function uploadTypeOf(extension: string): UploadType | undefined {
	const normalised = SAME_FORMAT[extension.toLowerCase()] ?? extension.toLowerCase();
	return (Object.keys(MEDIA_RULES) as UploadType[]).find((type) => MEDIA_RULES[type].extensions.includes(normalised));
}

/** The extension as DingTalk's lists spell it (`jpeg` → `jpg`). */
export function dingTalkExtension(extension: string): string {
	return SAME_FORMAT[extension.toLowerCase()] ?? extension.toLowerCase();
}

function megabytes(bytes: number): string {
	const value = bytes / MB;
	return `${value >= 10 ? Math.round(value) : Math.round(value * 10) / 10} MB`;
}

function typeName(file: Pick<OutgoingFile, 'mimeType' | 'extension'>): string {
	return `${file.extension.toUpperCase()} (${file.mimeType})`;
}

const WHAT_DINGTALK_TAKES =
	'DingTalk robots send images (JPG, PNG, GIF, BMP, up to 20 MB), voice (AMR, MP3, WAV, up to 2 MB), video (MP4, up to 20 MB) and files (DOC, DOCX, XLS, XLSX, PPT, PPTX, ZIP, PDF, RAR, up to 20 MB)';

/** Advice for formats users send often that DingTalk does not take. */
function advice(extension: string): string {
	switch (extension) {
		case 'opus':
		case 'ogg':
		case 'oga':
		case 'm4a':
		case 'aac':
		case 'flac':
			return 'Convert the recording to MP3 or AMR first (for example with ffmpeg in an Execute Command node), or put it into a ZIP (Compression node) to send it as a file.';
		case 'webp':
		case 'tif':
		case 'tiff':
		case 'heic':
		case 'avif':
			return 'Convert the picture to JPG or PNG first (Edit Image node), or put it into a ZIP (Compression node) to send it as a file.';
		default:
			return 'Convert it to one of these formats, or put it into a ZIP (Compression node) to send it as a file.';
	}
}

/**
 * Refuses what DingTalk would refuse, before any upload: a type it takes as no kind, a
 * size over its kind's limit, an empty file. Returns the upload type otherwise.
 */
export function dingTalkUploadType(file: Pick<OutgoingFile, 'mimeType' | 'extension' | 'size'>): UploadType {
	const type = uploadTypeOf(file.extension);
	if (!type) {
		throw new MessageFileError(`DingTalk does not take ${typeName(file)} files`, {
			kind: 'input',
			description: `The file's bytes show ${typeName(file)}. ${WHAT_DINGTALK_TAKES}. ${advice(file.extension.toLowerCase())}`,
		});
	}
	const rule = MEDIA_RULES[type];
	if (file.size > rule.maxBytes) {
		throw new MessageFileError(`The ${typeName(file)} file is too large for DingTalk (${megabytes(file.size)}; ${rule.label} up to ${megabytes(rule.maxBytes)})`, {
			kind: 'input',
			description: `DingTalk takes ${rule.label} up to ${megabytes(rule.maxBytes)}. ${
				type === 'voice' ? 'Shorten the recording or lower its bit rate' : 'Compress or split the file'
			}, or share a link to it in a text message instead.`,
		});
	}
	if (file.size === 0) {
		throw new MessageFileError('The file is empty', { kind: 'input', description: 'DingTalk refuses empty files. Check the binary property the node sends.' });
	}
	return type;
}
