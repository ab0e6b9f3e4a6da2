import type { MessengerEditor } from '../types';

/** Feishu in Send Message's editor: the chat to send to, and the options only Feishu has. */
export const feishuSendEditor: MessengerEditor['send'] = {
	description: 'Reply as a Feishu or Lark bot',
	chatFields: [
		{
			displayName: 'Chat ID',
			name: 'chatId',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'oc_a0553eda9014c201e6969b478895c230',
			description:
				'The chat or person to send to: oc_… chat ID, ou_… open ID, on_… union ID, user ID or e-mail. A chat is a group or one-to-one chat (chat_id of a message); a person gets the message in their chat with the bot. The kind is read from the ID unless Receive ID Type says otherwise.',
		},
	],
	options: [
		{
			displayName: 'Receive ID Type',
			name: 'receiveIdType',
			type: 'options',
			options: [
				{ name: 'Auto (From the ID)', value: 'auto', description: 'From the prefix: oc_ chat, ou_ open ID, on_ union ID; an e-mail address; otherwise a user ID' },
				{ name: 'Chat ID', value: 'chat_id' },
				{ name: 'E-Mail', value: 'email' },
				{ name: 'Open ID', value: 'open_id' },
				{ name: 'Union ID', value: 'union_id' },
				{ name: 'User ID', value: 'user_id' },
			],
			default: 'auto',
			displayOptions: { show: { '/recipient': ['chat'] } },
			description: "What kind of ID Chat ID is (Feishu's receive_id_type)",
		},
		{
			displayName: 'Reply in Thread',
			name: 'replyInThread',
			type: 'boolean',
			default: false,
			displayOptions: { show: { '/recipient': ['message'] } },
			description: 'Whether to reply in a thread under the message (a topic in a group) rather than in the chat',
		},
	],
};
