/**
 * `preparedStatementsPool`: a repeated data statement becomes a named prepared statement on the connection,
 * results are unchanged, the number of named texts is bounded, and a statement whose table changed under it
 * is sent unnamed again instead of failing.
 */
import type { PostgresPool, PostgresPoolClient } from "kysely";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { preparedStatementsPool } from "../src/pg-prepared.ts";
import { PG_URL, serviceAvailable, uniquePrefix } from "./services.ts";

const up = await serviceAvailable("postgres");

describe.skipIf(!up)("preparedStatementsPool (postgres)", () => {
  let raw: pg.Pool;
  let client: PostgresPoolClient;
  const table = `${uniquePrefix("prep")}items`;

  beforeAll(async () => {
    raw = new pg.Pool({ connectionString: PG_URL, max: 1 });
    const pool = preparedStatementsPool(raw as unknown as PostgresPool, { minUses: 2, maxStatements: 2 });
    client = await (pool as PostgresPool).connect();
    await client.query(`create table "${table}" (id integer primary key, name text not null)`, []);
    await client.query(`insert into "${table}" values (1, 'a'), (2, 'b')`, []);
  });
  afterAll(async () => {
    await client.query(`drop table if exists "${table}"`, []);
    client.release();
    await raw.end();
  });

  const named = async () => {
    const { rows } = await client.query<{ name: string; statement: string }>(
      "select name, statement from pg_prepared_statements order by name",
      [],
    );
    return rows;
  };
  const select = `select * from "${table}" where id = $1`;

  it("names a data statement once it has run minUses times, with the same results", async () => {
    const first = await client.query(select, [1]);
    expect(first.rows).toEqual([{ id: 1, name: "a" }]);
    expect((await named()).map((r) => r.statement)).not.toContain(select);
    const second = await client.query(select, [2]);
    expect(second.rows).toEqual([{ id: 2, name: "b" }]);
    expect((await named()).map((r) => r.statement)).toContain(select);
    expect((await client.query(select, [1])).rows).toEqual([{ id: 1, name: "a" }]);
    expect((await client.query(select, [3])).rows).toEqual([]);
  });

  it("names at most maxStatements texts and never a transaction statement", async () => {
    for (let i = 0; i < 3; i++) {
      await client.query("begin", []);
      await client.query(`select id from "${table}" where id > $1`, [i]);
      await client.query(`select name from "${table}" where id > $1`, [i]);
      await client.query("commit", []);
    }
    const statements = (await named()).map((r) => r.statement);
    // the earlier select, plus one of the two new ones: the cap is 2
    expect(statements).toHaveLength(2);
    expect(statements.some((s) => /^(begin|commit)/i.test(s))).toBe(false);
  });

  it("falls back to an unnamed statement when the table changed under a named one", async () => {
    await client.query(`alter table "${table}" add column extra text`, []);
    const after = await client.query(select, [1]);
    expect(after.rows).toEqual([{ id: 1, name: "a", extra: null }]);
    expect((await client.query(select, [2])).rows).toEqual([{ id: 2, name: "b", extra: null }]);
  });
});
