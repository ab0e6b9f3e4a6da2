import { dingTalkEditor } from './dingTalk/editor';
import { dingTalkProvider } from './dingTalk/provider';
import { dingTalkSender } from './dingTalk/sender';
import { feishuEditor } from './feishu/editor';
import { feishuProvider } from './feishu/provider';
import { feishuSender } from './feishu/sender';
import { greenApiEditor } from './greenApi/editor';
import { greenApiProvider } from './greenApi/provider';
import { greenApiSender } from './greenApi/sender';
import type { FileProvider, MessageSender, Messenger } from './types';

/**
 * Every messenger, in the order the editor lists them (the first is the default Service).
 * Adding a messenger: its folder next to these, and one line here.
 */
export const messengers: Messenger[] = [
	{ service: 'dingTalk', credentialType: 'dingTalkApi', provider: dingTalkProvider, sender: dingTalkSender, editor: dingTalkEditor },
	{ service: 'greenApi', credentialType: 'greenApi', provider: greenApiProvider, sender: greenApiSender, editor: greenApiEditor },
	{ service: 'feishu', credentialType: 'feishuApi', provider: feishuProvider, sender: feishuSender, editor: feishuEditor },
];

/** The nodes' `service` parameter value → its downloads. */
export const providers: Record<string, FileProvider> = Object.fromEntries(messengers.map((messenger) => [messenger.service, messenger.provider]));

/** The nodes' `service` parameter value → its replies. */
export const senders: Record<string, MessageSender> = Object.fromEntries(messengers.map((messenger) => [messenger.service, messenger.sender]));
