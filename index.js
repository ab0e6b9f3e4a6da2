// n8n reads only the "n8n" section of package.json; this entry point lets code require
// the node and credential classes directly. The build copies it to dist/index.js, which
// is the published package's "main".
module.exports = {
	DownloadMessageFile: require('./dist/nodes/DownloadMessageFile/DownloadMessageFile.node.js').DownloadMessageFile,
	GreenApiTrigger: require('./dist/nodes/GreenApiTrigger/GreenApiTrigger.node.js').GreenApiTrigger,
	DingTalkTrigger: require('./dist/nodes/DingTalkTrigger/DingTalkTrigger.node.js').DingTalkTrigger,
	SendMessage: require('./dist/nodes/SendMessage/SendMessage.node.js').SendMessage,
	FeishuTrigger: require('./dist/nodes/FeishuTrigger/FeishuTrigger.node.js').FeishuTrigger,
	DingTalkApi: require('./dist/credentials/DingTalkApi.credentials.js').DingTalkApi,
	GreenApi: require('./dist/credentials/GreenApi.credentials.js').GreenApi,
	FeishuApi: require('./dist/credentials/FeishuApi.credentials.js').FeishuApi,
};
