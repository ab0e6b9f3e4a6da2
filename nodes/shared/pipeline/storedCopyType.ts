import type { IBinaryData } from 'n8n-workflow';

import type { MessengerContext } from '../messengers/types';
import type { DecidedType } from './fileType/decide';
import type { HeadJudgement } from './fileType/fromBytes';
import { judgeWholeFile } from './fileType/fromBytes';
import { openStoredCopy } from './storedCopy';

/**
 * The type the whole stored file shows, for the files whose head left it open: one
 * sequential read of what n8n stored (never a second download, never the file whole in
 * memory). Undefined when it cannot be read back or shows nothing more.
 */
export async function typeOfStoredCopy(context: MessengerContext, binary: IBinaryData, judgement: HeadJudgement, head: Uint8Array): Promise<DecidedType | undefined> {
	const copy = await openStoredCopy(context, binary).catch(() => undefined);
	if (!copy) return undefined;
	try {
		return await judgeWholeFile(judgement, head, copy.chunks);
	} catch {
		return undefined; // an unreadable stored copy leaves the head's decision
	} finally {
		copy.close();
	}
}
