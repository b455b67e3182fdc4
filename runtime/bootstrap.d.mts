/** Types of runtime/bootstrap.mjs (plain Node, run before node_modules exists), for the tests. */
export declare const ROOT: string;
export declare const BIN_DIR: string;
export declare function pipInstallArgs(root?: string): string[];
export declare function plan(
  command: 'start' | 'test',
  root?: string,
  env?: NodeJS.ProcessEnv,
): { steps: ('npm ci' | 'temporal binaries')[]; env: Record<string, string> };
