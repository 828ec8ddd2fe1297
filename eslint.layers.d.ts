// Types for what test/lint/layers.test.ts reads from eslint.layers.js (plain JavaScript, as ESLint loads it).
export declare const LAYER_ELEMENTS: readonly object[];
export declare const LAYER_POLICIES: readonly object[];
export declare const SLACK_IMPORT_ALLOWLIST: readonly string[];
export declare function layerConfigs(plugins: Record<string, unknown>): object[];
