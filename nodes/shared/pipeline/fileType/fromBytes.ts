import type { DecidedType, TypeEvidence } from './decide';
import { decideFileType } from './decide';
import { detectFromBytes, detectWholeFile, headLeavesTypeOpen, isDetectableMimeType } from './detect';
import { isWideTextWithMark, sniffText } from './text';
import { wholeFileReason } from './wholeFile';

/** What is known of a file besides its bytes: the hints a type decision weighs after them. */
export type TypeHints = Omit<TypeEvidence, 'detected' | 'text' | 'isDetectableType'>;

export interface HeadJudgement {
	type: DecidedType;
	evidence: TypeEvidence;
	/** The head left the type open (a late TIFF IFD, an Office zip, a large ID3 tag): read the whole file once. */
	needsWholeFile: boolean;
}

/**
 * The type the first bytes decide, for files coming in and going out alike. `head` is
 * at most DETECTION_BYTES; `complete` says it is the whole file.
 */
export async function judgeHead(head: Uint8Array, complete: boolean, hints: TypeHints): Promise<HeadJudgement> {
	// UTF-16/32 text with a byte order mark outranks file-type, which takes FF FE for an MPEG audio frame.
	const detected = isWideTextWithMark(head, complete) ? undefined : await detectFromBytes(head);
	const text = detected ? undefined : sniffText(head, complete);
	const evidence: TypeEvidence = { ...hints, detected, text, isDetectableType: isDetectableMimeType };
	const wantsMore = !detected && !text && !complete && (await headLeavesTypeOpen(head));
	const needsWholeFile = wholeFileReason({ head, complete, detected, isText: text !== undefined, wantsMore }) !== undefined;
	return { type: decideFileType(evidence), evidence, needsWholeFile };
}

/** The type after one forward read of the whole file; undefined when that shows nothing more. */
export async function judgeWholeFile(
	judgement: HeadJudgement,
	head: Uint8Array,
	chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
): Promise<DecidedType | undefined> {
	const wholeFile = await detectWholeFile(chunks, head, judgement.evidence.detected);
	return wholeFile ? decideFileType({ ...judgement.evidence, detected: wholeFile }) : undefined;
}
