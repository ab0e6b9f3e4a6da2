// ESLint flat config for this n8n community node package.
//
// Mirrors the "cloud" (strict) config of @n8n/node-cli 0.48.3
// (`import { config } from '@n8n/node-cli/eslint'`, i.e. dist/configs/eslint.js in its
// tarball), rebuilt from the plugin packages that node-cli itself bundles, because
// @n8n/node-cli does not install on Node 20 here. Pinned versions (devDependencies):
// eslint 9.29.0, @n8n/eslint-plugin-community-nodes 0.32.0,
// eslint-plugin-n8n-nodes-base 1.16.7, typescript-eslint 8.35.0.
//
// Two modes:
//
//   npx eslint .                      (npm run lint) sources: nodes/**/*.ts, credentials/**/*.ts
//                                     and package.json, exactly as `n8n-node lint` does.
//                                     dist/, test/, bench/, examples/, coverage/, .ci/, .ci-cache/ and
//                                     .tmp/ are ignored.
//
//   LINT_DIST=1 npx eslint --no-inline-config dist package.json
//                                     the built bundle, the way @n8n/scan-community-package
//                                     lints the published tarball: every dist/**/*.js gets the
//                                     whole cloud ruleset of @n8n/eslint-plugin-community-nodes
//                                     (no-restricted-imports, no-restricted-globals,
//                                     no-dangerous-functions, ...) plus no-console, and inline
//                                     eslint-disable comments are ignored, as in the scanner.
//                                     (This mode sets noInlineConfig itself; --no-inline-config
//                                     only silences the "'eslint-disable' has no effect" warnings
//                                     that bundled third-party code would otherwise produce.)
//                                     In this mode nothing but dist/ and package.json is linted.
//
// Differences from node-cli, on purpose:
//   - test/, examples/ and coverage/ are ignored (node-cli only ignores dist): tests may use
//     setTimeout / process, which the cloud rules forbid in shipped code.
//   - nodes/**/*.{js,json} and credentials/**/*.{js,json} also get the community-nodes rules,
//     because the scanner's source pass lints those patterns too.
//   - eslint-plugin-import-x 'flat/recommended' (with eslint-import-resolver-typescript) is part
//     of node-cli's config but is not installed here; it is applied only if both packages can be
//     imported. It holds only import hygiene rules (no-unresolved, named, no-duplicates, ...),
//     none of them cloud-related.
//
// The scanner ignores inline `eslint-disable` comments. To check sources the way the scanner
// does, run `npx eslint --no-inline-config .` (node-cli's extra TypeScript rules then apply
// without exceptions, which is stricter than the scanner).

import js from '@eslint/js';
import { n8nCommunityNodesPlugin } from '@n8n/eslint-plugin-community-nodes';
import { globalIgnores } from 'eslint/config';
import n8nNodesBase from 'eslint-plugin-n8n-nodes-base';
import tseslint from 'typescript-eslint';

const lintDist = ['1', 'true', 'yes'].includes(String(process.env.LINT_DIST ?? '').toLowerCase());

// Cloud variant. node-cli's configWithoutCloudSupport would use `recommendedWithoutN8nCloudSupport`
// (the same minus no-restricted-imports and no-restricted-globals).
const communityNodesRecommended = n8nCommunityNodesPlugin.configs.recommended;

// Optional: eslint-plugin-import-x, as in node-cli, if it is installed.
async function importXConfigs() {
	try {
		const importX = (await import('eslint-plugin-import-x')).default;
		const { createTypeScriptImportResolver } = await import('eslint-import-resolver-typescript');
		return {
			extends: [importX.configs['flat/recommended']],
			settings: { 'import-x/resolver-next': [createTypeScriptImportResolver()] },
		};
	} catch {
		return { extends: [], settings: {} };
	}
}

// package.json: community-nodes rules + eslint-plugin-n8n-nodes-base "community" rules,
// parsed with the TypeScript parser (the rules walk the JSON as an object expression).
const packageJsonConfig = {
	files: ['package.json'],
	extends: [communityNodesRecommended],
	rules: {
		...n8nNodesBase.configs.community.rules,
	},
	languageOptions: {
		parser: tseslint.parser,
		parserOptions: {
			extraFileExtensions: ['.json'],
		},
	},
};

async function sourceConfig() {
	const importX = await importXConfigs();
	return tseslint.config(
		globalIgnores(
			['dist/', 'test/', 'bench/', 'examples/', 'coverage/', '.ci/', '.ci-cache/', '.tmp/'],
			'n8n/ignores',
		),
		{
			name: 'n8n/typescript',
			files: ['**/*.ts'],
			extends: [
				js.configs.recommended,
				tseslint.configs.recommended,
				communityNodesRecommended,
				...importX.extends,
			],
			rules: {
				'prefer-spread': 'off',
				'no-console': 'error',
			},
		},
		{
			name: 'n8n/plugins',
			plugins: { 'n8n-nodes-base': n8nNodesBase },
			settings: importX.settings,
		},
		{ name: 'n8n/package-json', ...packageJsonConfig },
		{
			name: 'n8n/credentials',
			files: ['credentials/**/*.ts'],
			rules: {
				...n8nNodesBase.configs.credentials.rules,
				// Not valid for community nodes
				'n8n-nodes-base/cred-class-field-documentation-url-miscased': 'off',
				// community-nodes' credential-password-field is more accurate
				'n8n-nodes-base/cred-class-field-type-options-password-missing': 'off',
			},
		},
		{
			name: 'n8n/nodes',
			files: ['nodes/**/*.ts'],
			rules: {
				...n8nNodesBase.configs.nodes.rules,
				// Inputs and outputs can be the NodeConnectionTypes enum instead of "main"
				'n8n-nodes-base/node-class-description-inputs-wrong-regular-node': 'off',
				'n8n-nodes-base/node-class-description-outputs-wrong': 'off',
				// A third-party API can have a maximum limit
				'n8n-nodes-base/node-param-type-options-max-value-present': 'off',
			},
		},
		// Scanner parity (@n8n/scan-community-package lints '{nodes,credentials}/**/*.{js,ts,json}').
		{
			name: 'n8n/scan-extra-files',
			files: ['{nodes,credentials}/**/*.js', '{nodes,credentials}/**/*.json'],
			extends: [communityNodesRecommended],
			rules: { 'no-console': 'error' },
		},
		{
			name: 'n8n/scan-extra-json-parser',
			files: ['{nodes,credentials}/**/*.json'],
			languageOptions: {
				parser: tseslint.parser,
				parserOptions: { extraFileExtensions: ['.json'] },
			},
		},
	);
}

// The built bundle, as the scanner's tarball pass sees it (buildScanConfig of
// @n8n/scan-community-package): community-nodes cloud ruleset + no-console on every .js file,
// default JS parser, inline config ignored.
function distConfig() {
	return tseslint.config(
		// Only dist/ and package.json are linted in this mode.
		globalIgnores(['**/*', '!dist/', '!dist/**', '!package.json'], 'n8n/dist-only'),
		{
			name: 'n8n/linter-options',
			linterOptions: { noInlineConfig: true },
		},
		{
			name: 'n8n/plugins',
			plugins: { 'n8n-nodes-base': n8nNodesBase },
		},
		{
			name: 'n8n/dist',
			files: ['dist/**/*.js'],
			extends: [communityNodesRecommended],
			rules: { 'no-console': 'error' },
		},
		{ name: 'n8n/package-json', ...packageJsonConfig },
	);
}

export default lintDist ? distConfig() : await sourceConfig();
