import { dingTalkProvider } from './dingTalk/provider';
import { greenApiProvider } from './greenApi/provider';
import type { FileProvider } from './types';

/** The node's `service` parameter value → its provider. A new messenger is one more entry. */
export const providers: Record<string, FileProvider> = {
	dingTalk: dingTalkProvider,
	greenApi: greenApiProvider,
};
