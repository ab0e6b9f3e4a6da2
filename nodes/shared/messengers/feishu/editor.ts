import type { MessengerEditor } from '../types';
import { feishuSendEditor } from './sendEditor';

/** Feishu / Lark in the editor: the fields and options the nodes show when Service is Feishu / Lark. */
export const feishuEditor: MessengerEditor = {
	name: 'Feishu / Lark',
	label: 'Feishu',
	messageShapes: "a Feishu Trigger item, a Feishu event callback body, the official SDK's event or its message object",
	download: {
		description: 'Images, files, voice and video sent to a Feishu or Lark bot',
		fieldsSummary: 'the message ID and file key (Feishu)',
		fields: [
			{
				displayName: 'Message ID',
				name: 'messageId',
				type: 'string',
				default: '',
				required: true,
				placeholder: '={{ $json.event.message.message_id }}',
				description: 'The message_id (om_…) of the message the file is in. The bot must be in its chat.',
			},
			{
				displayName: 'File Key',
				name: 'fileKey',
				type: 'string',
				default: '',
				required: true,
				placeholder: '={{ JSON.parse($json.event.message.content).image_key }}',
				description:
					"The image_key (img_…) or file_key of the file, from the message's content (a JSON text: image_key for images, file_key for files, voice and video)",
			},
		],
		options: [
			{
				displayName: 'Resource Type',
				name: 'resourceType',
				type: 'options',
				options: [
					{ name: 'Auto', value: 'auto', description: 'From the key: img_… is an image, anything else a file' },
					{ name: 'Image', value: 'image', description: 'An image of an image or rich-text (post) message' },
					{ name: 'File', value: 'file', description: 'A file, voice message or video' },
				],
				default: 'auto',
				displayOptions: { show: { '/source': ['fields'] } },
				description: "Which of Feishu's resource types to ask for (the type parameter of the download)",
			},
		],
	},
	// Send Message's part lives beside the sender (./sendEditor.ts).
	send: feishuSendEditor,
};
