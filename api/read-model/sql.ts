/**
 * SQL fragments shared by the read-model queries. Instants are formatted in SQL, so the answers do not
 * depend on the pool's type parsers: ISO 8601 with the Asia/Shanghai offset and milliseconds, the form
 * db/pool.ts uses (`2026-02-28T09:30:00.000+08:00`). Asia/Shanghai has had no DST since 1991.
 */
export const isoSql = (column: string) =>
  `to_char((${column}) AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD"T"HH24:MI:SS.MS"+08:00"')`;

/** Today's date in Asia/Shanghai (certificate validity is by local date). */
export const shanghaiTodaySql = `(now() AT TIME ZONE 'Asia/Shanghai')::date`;

/** Collects positional parameters while a query is built. */
export function paramList(): { params: unknown[]; p: (value: unknown) => string } {
  const params: unknown[] = [];
  return {
    params,
    p: (value: unknown) => {
      params.push(value);
      return `$${params.length}`;
    },
  };
}
