// A disabled `debug` logger: same API, never prints, never reads the environment.
function createDebug() {
	const log = () => {};
	log.enabled = false;
	log.extend = () => log;
	log.destroy = () => {};
	return log;
}
createDebug.enable = () => {};
createDebug.disable = () => '';
createDebug.enabled = () => false;
module.exports = createDebug;
module.exports.default = createDebug;
