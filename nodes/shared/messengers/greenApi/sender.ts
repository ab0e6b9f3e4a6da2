import { isGreenApiMessage } from '../incomingMessage';
import type { MessageSender } from '../types';
import { greenApiChatFromFields, greenApiReplyTarget } from './chatTarget';
import { assertGreenApiSendable, sendGreenApiFile, sendGreenApiText } from './send';

/** Replies through a Green-API instance: WhatsApp, MAX (/v3) and Telegram. */
export const greenApiSender: MessageSender = {
	credentialType: 'greenApi',
	displayName: 'Green-API',
	// Green-API queues every send anyway, and the 429s above its 50 sends a second are waited out
	// without spending Max Retries (./send.ts).
	chatsAtOnce: 20,
	recognises: isGreenApiMessage,
	replyTarget: async (context, message) => await greenApiReplyTarget(context, message),
	chatFromFields: async (context, itemIndex) => greenApiChatFromFields(context, itemIndex),
	assertSendable: assertGreenApiSendable,
	sendText: sendGreenApiText,
	sendFile: sendGreenApiFile,
};
