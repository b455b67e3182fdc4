/**
 * Loaded once into each worker thread's shared workflow sandbox (`preloadModules` in
 * worker/create-worker.ts `caseBundleOptions`), before the SDK freezes the sandbox's globals.
 *
 * The SDK installs a promise hook that, for EVERY promise a workflow creates, builds an Error, formats
 * its stack through the bundle's source map and keeps it, so that the `__stack_trace` query can show
 * where a stuck workflow waits. A case creates hundreds of promises per step (the step lock, the run
 * loop's conditions, local activities) and that capture was about 40 % of the workflow thread's CPU
 * (bench:throughput with BENCH_CPU_PROFILE_DIR). There is no SDK switch for it; V8's
 * `Error.stackTraceLimit` of the sandbox's own `Error` bounds each capture. STACK_TRACE_FRAMES frames
 * still name the awaiting call in the stack-trace query and where a workflow task failure was thrown;
 * a case's refusals are typed failures naming the field and never needed more.
 *
 * Not preloaded: zod. Its library code would be shared frozen, and zod writes to its own regexes
 * (`lastIndex`) and global config while parsing — a frozen zod throws (tried: the time-bar test failed).
 */
export const STACK_TRACE_FRAMES = 2;

Error.stackTraceLimit = STACK_TRACE_FRAMES;
