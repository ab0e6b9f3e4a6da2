// n8n reads only the "n8n" section of package.json; this entry point lets code
// require the package directly (e.g. tests or other tooling).
module.exports = {
	DownloadMessageFile: require('./dist/nodes/DownloadMessageFile/DownloadMessageFile.node.js').DownloadMessageFile,
	DingTalkApi: require('./dist/credentials/DingTalkApi.credentials.js').DingTalkApi,
	GreenApi: require('./dist/credentials/GreenApi.credentials.js').GreenApi,
};
