// Counters shared by all stand-in hosts. A plain object so tests can
// `expect(standIn.stats).toMatchObject({...})` and the CLI can print it as JSON.

export interface StandInStats {
	/** POST /v1.0/oauth2/accessToken calls (any outcome). */
	dingTalkTokenCalls: number;
	/** POST /v1.0/oauth2/corpAccessToken calls (any outcome). */
	dingTalkCorpTokenCalls: number;
	/** New access tokens minted (a valid internal-app token is handed out again, not re-minted). */
	dingTalkTokensIssued: number;
	/** POST /v1.0/robot/messageFiles/download calls (any outcome). */
	dingTalkDownloadCalls: number;
	/** Download calls refused with InvalidAuthentication. */
	dingTalkInvalidTokenAnswers: number;
	/** GET/HEAD requests on the OSS host (redirect hops included). */
	ossGets: number;
	ossBytesServed: number;
	/** downloadFile calls (any outcome, 429s included). */
	greenDownloadFileCalls: number;
	greenDownloadFileCallsByInstance: Record<string, number>;
	greenStateCalls: number;
	/** receiveNotification / deleteNotification calls (any outcome). */
	greenReceiveCalls: number;
	greenDeleteCalls: number;
	/** Notifications handed out by receiveNotification (redeliveries included). */
	greenNotificationsServed: number;
	/** getSettings + setSettings calls, and the setSettings that changed something. */
	greenSettingsCalls: number;
	greenSettingsChanges: number;
	/** Webhook POSTs made by the stand-in (retries and duplicates included). */
	greenWebhookPosts: number;
	/** GET/HEAD requests on the Green media host (redirect hops included). */
	greenMediaGets: number;
	greenMediaBytesServed: number;
	/** Feishu tenant_access_token/internal calls (any outcome) and tokens minted. */
	feishuTokenCalls: number;
	feishuTokensIssued: number;
	/** Feishu calls refused with 99991663 (expired or unknown token). */
	feishuInvalidTokenAnswers: number;
	/** Feishu message-resource downloads (any outcome) and the file bytes they served. */
	feishuResourceCalls: number;
	feishuBytesServed: number;
	/** Feishu image + file uploads, sends + replies (any outcome). */
	feishuUploadCalls: number;
	feishuSendCalls: number;
	/** Feishu 230020 (per chat) and 429 99991400 (per app) answers. */
	feishuRateLimited: number;
	/** Green-API 429 answers. */
	rateLimited429: number;
	/** Injected faults that fired (API answers, resets, file faults). */
	faultsInjected: number;
	/** Highest number of file GETs in flight at once, both file hosts together. */
	maxConcurrentFileGets: number;
}

export function emptyStats(): StandInStats {
	return {
		dingTalkTokenCalls: 0,
		dingTalkCorpTokenCalls: 0,
		dingTalkTokensIssued: 0,
		dingTalkDownloadCalls: 0,
		dingTalkInvalidTokenAnswers: 0,
		ossGets: 0,
		ossBytesServed: 0,
		greenDownloadFileCalls: 0,
		greenDownloadFileCallsByInstance: {},
		greenStateCalls: 0,
		greenReceiveCalls: 0,
		greenDeleteCalls: 0,
		greenNotificationsServed: 0,
		greenSettingsCalls: 0,
		greenSettingsChanges: 0,
		greenWebhookPosts: 0,
		greenMediaGets: 0,
		greenMediaBytesServed: 0,
		feishuTokenCalls: 0,
		feishuTokensIssued: 0,
		feishuInvalidTokenAnswers: 0,
		feishuResourceCalls: 0,
		feishuBytesServed: 0,
		feishuUploadCalls: 0,
		feishuSendCalls: 0,
		feishuRateLimited: 0,
		rateLimited429: 0,
		faultsInjected: 0,
		maxConcurrentFileGets: 0,
	};
}

/** Zero the counters in place, so references held by tests stay live. */
export function resetStatsInPlace(stats: StandInStats): void {
	Object.assign(stats, emptyStats());
}
