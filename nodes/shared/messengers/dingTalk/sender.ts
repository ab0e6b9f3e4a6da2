import type { MessageSender } from '../types';
import { inputError } from '../../transport/errors';
import { isDingTalkMessage } from '../incomingMessage';

/** Placeholder until the dingTalk sending side lands (branch send-dingtalk). */
function notYet(): never {
	throw inputError('Sending through dingTalk is not built yet');
}

export const dingTalkSender: MessageSender = {
	credentialType: 'dingTalkApi',
	displayName: 'dingTalk',
	recognises: isDingTalkMessage,
	replyTarget: async () => notYet(),
	chatFromFields: async () => notYet(),
	assertSendable: async () => notYet(),
	sendText: async () => notYet(),
	sendFile: async () => notYet(),
};
