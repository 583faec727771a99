/** Types of bench/specs.mjs, for the tests that reuse its specs. */
export declare const ROOT: string;
export declare const EXAMPLE_SPEC: string;
export declare function generatedSpec(
  routes: number,
): Record<string, unknown> & { name: string; routes: Array<{ path: string; methods: string[] }> };
export declare function exampleSpecText(): string;
