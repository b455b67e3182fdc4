/**
 * Body schemas, shared by every workflow of a worker thread (preloaded: `preloadModules` in
 * worker/create-worker.ts `caseBundleOptions`).
 *
 * Every new workflow evaluates the bundle's modules anew, so a schema module-scoped in workflow code is
 * built again by every case: building a step's zod schema was ~2 ms per validated step, ~15 % of the
 * workflow thread (bench:throughput profile). This module is evaluated once per thread, and the SDK
 * freezes its exports — a frozen Map still takes entries (freezing guards properties, not a Map's
 * contents). The first workflow that checks a kind of body builds its schema and leaves it here; the
 * others reuse it.
 *
 * Why sharing is safe: a schema is immutable once built and its checks are pure functions of the body
 * (same body, same answer, on any workflow and on replay — where validators do not run anyway). zod
 * keeps no per-workflow state in a built schema; the one-time lazy properties it sets on first use are
 * the same whoever uses it first. Activations of a thread never interleave, so no two workflows parse
 * at once. Without the preload (a bundle built without `caseBundleOptions`), each workflow gets its own
 * Map: slower, the same answers.
 */
export const sharedSchemas = new Map<string, unknown>();
