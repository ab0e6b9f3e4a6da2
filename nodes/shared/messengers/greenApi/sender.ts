import type { MessageSender } from '../types';
import { inputError } from '../../transport/errors';
import { isGreenApiMessage } from '../incomingMessage';

/** Placeholder until the greenApi sending side lands (branch send-greenapi). */
function notYet(): never {
	throw inputError('Sending through greenApi is not built yet');
}

export const greenApiSender: MessageSender = {
	credentialType: 'greenApi',
	displayName: 'greenApi',
	recognises: isGreenApiMessage,
	replyTarget: async () => notYet(),
	chatFromFields: async () => notYet(),
	assertSendable: async () => notYet(),
	sendText: async () => notYet(),
	sendFile: async () => notYet(),
};
