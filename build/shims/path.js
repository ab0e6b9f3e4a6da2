// The part of `path` that mime-types uses: POSIX extname.
function extname(value) {
	const base = String(value).split('/').pop();
	const dot = base.lastIndexOf('.');
	return dot <= 0 ? '' : base.slice(dot);
}
module.exports = { extname };
