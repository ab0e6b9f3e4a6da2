import { isGreenApiMessage } from '../incomingMessage';
import type { MessageSender } from '../types';
import { greenApiChatFromFields, greenApiReplyTarget } from './chatTarget';
import { assertGreenApiSendable, sendGreenApiFile, sendGreenApiText } from './send';

/** Replies through a Green-API instance: WhatsApp, MAX (/v3) and Telegram. */
export const greenApiSender: MessageSender = {
	credentialType: 'greenApi',
	displayName: 'Green-API',
	recognises: isGreenApiMessage,
	replyTarget: async (context, message) => await greenApiReplyTarget(context, message),
	chatFromFields: async (context, itemIndex) => greenApiChatFromFields(context, itemIndex),
	assertSendable: assertGreenApiSendable,
	sendText: sendGreenApiText,
	sendFile: sendGreenApiFile,
};
