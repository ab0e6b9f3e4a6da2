import { dingTalkProvider } from './dingTalk/provider';
import { dingTalkSender } from './dingTalk/sender';
import { greenApiProvider } from './greenApi/provider';
import { greenApiSender } from './greenApi/sender';
import type { FileProvider, MessageSender } from './types';

/** The nodes' `service` parameter value → its messenger. A new messenger is one more entry in each. */
export const providers: Record<string, FileProvider> = {
	dingTalk: dingTalkProvider,
	greenApi: greenApiProvider,
};

export const senders: Record<string, MessageSender> = {
	dingTalk: dingTalkSender,
	greenApi: greenApiSender,
};
