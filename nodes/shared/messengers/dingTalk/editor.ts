import type { MessengerEditor } from '../types';

/** DingTalk in the editor: the fields and options the nodes show when Service is DingTalk. */
export const dingTalkEditor: MessengerEditor = {
	name: 'DingTalk',
	label: 'DingTalk',
	messageShapes: 'a DingTalk robot callback or Stream-mode message',
	download: {
		description: 'Files sent to a DingTalk robot',
		fieldsSummary: 'the download code (DingTalk)',
		fields: [
			{
				displayName: 'Download Code',
				name: 'downloadCode',
				type: 'string',
				default: '',
				required: true,
				placeholder: '={{ $json.content.downloadCode }}',
				description: 'The downloadCode of the picture, file, audio or video in the robot message (content.downloadCode). It expires soon after the message arrives.',
			},
			{
				displayName: 'Robot Code',
				name: 'robotCode',
				type: 'string',
				default: '',
				placeholder: '={{ $json.robotCode }}',
				description: 'The robot that received the message (robotCode in the message). Empty: the credential\'s default robot, then the App Key of an internal app.',
			},
		],
	},
	send: {
		description: 'Reply as a DingTalk robot',
		chatFields: [
			{
				displayName: 'Chat Type',
				name: 'dingTalkChatType',
				type: 'options',
				noDataExpression: true,
				options: [
					{ name: 'Users (One-to-One)', value: 'user', description: 'Send to people in the organisation, by their staff ID (userId)' },
					{ name: 'Group', value: 'group', description: 'Send to a group chat the robot is in, by its openConversationId' },
				],
				default: 'user',
			},
			{
				displayName: 'User IDs',
				name: 'userIds',
				type: 'string',
				default: '',
				required: true,
				placeholder: 'manager1234, 0123456789',
				displayOptions: { show: { dingTalkChatType: ['user'] } },
				description: 'Staff IDs (userId) of the people to message, separated by commas; senderStaffId in an incoming message',
			},
			{
				displayName: 'Open Conversation ID',
				name: 'openConversationId',
				type: 'string',
				default: '',
				required: true,
				placeholder: 'cidXXXXXXXXXXXXXXXX==',
				displayOptions: { show: { dingTalkChatType: ['group'] } },
				description: 'The group\'s openConversationId: conversationId in a message the robot received in that group',
			},
			{
				displayName: 'Robot Code',
				name: 'robotCode',
				type: 'string',
				default: '',
				description: "The robot that sends. Empty: the credential's default robot, then the App Key of an internal app.",
			},
		],
		options: [
			{
				displayName: 'Markdown Title',
				name: 'markdownTitle',
				type: 'string',
				default: '',
				description: 'DingTalk: send the text as markdown (sampleMarkdown) under this title, shown in notifications and the chat list',
			},
			{
				displayName: 'Voice/Video Duration (Ms)',
				name: 'durationMs',
				type: 'number',
				typeOptions: { minValue: 0 },
				default: 0,
				displayOptions: { show: { '/content': ['file'] } },
				description: 'DingTalk voice and video messages show their length. 0: read it from the file itself.',
			},
			{
				displayName: 'Video Cover (Binary Field)',
				name: 'videoCoverBinaryPropertyName',
				type: 'string',
				default: '',
				placeholder: 'cover',
				displayOptions: { show: { '/content': ['file'] } },
				description:
					'DingTalk shows an MP4 as a playable video only with a cover picture: the binary field of the item holding it (JPG or PNG, e.g. a frame of the video). Empty, or the item has no such field: the MP4 is sent as a file message, which DingTalk always shows.',
			},
			{
				displayName: 'Cool App Code',
				name: 'coolAppCode',
				type: 'string',
				default: '',
				placeholder: 'COOLAPP-1-…',
				description:
					"Groups whose robot was installed through a group cool app (群酷应用) take robot messages only with the cool app's code. Empty: the incoming message's coolAppCode, if it carries one.",
			},
		],
	},
};
