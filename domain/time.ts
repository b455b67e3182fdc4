/** Asia/Shanghai has had no daylight saving since 1991: a fixed UTC+8 offset is exact for our dates. */
export const SHANGHAI_OFFSET_MS = 8 * 3600_000;

/** Formats an instant as ISO 8601 with the Asia/Shanghai offset, e.g. 2026-02-28T00:00:00.000+08:00. */
export function toShanghaiIso(instantMs: number): string {
  return new Date(instantMs + SHANGHAI_OFFSET_MS).toISOString().replace('Z', '+08:00');
}
