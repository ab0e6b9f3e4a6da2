// protobufjs (the Feishu long connection's frames) represents uint64 with long.js when it
// finds it; without it, as Feishu's own SDK runs it, uint64 fields are plain numbers.
module.exports = null;
