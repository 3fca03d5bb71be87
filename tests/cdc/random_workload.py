#!/usr/bin/env python3
"""A seeded random workload for the CDC tests (tests/cdc/cdc_random_test.sh).

    random_workload.py schema          the schema, every feature CDC must carry
    random_workload.py round SEED      one round: a reset, then random transactions

A round starts from a known state (every table truncated in one statement and
refilled, itself a change CDC must carry), then runs a few dozen transactions
of random INSERT, UPDATE (values, keys, rows across partitions, TOAST values
changed and left alone, char(n) and bit(n) keys and values), DELETE and TRUNCATE, some with several statements,
some rolled back, some with a savepoint rolled back, now and then one far
bigger than logical_decoding_work_mem; and four hot rows that most
transactions change again, with their TOAST value now changed, now left
alone (the apply coalesces a row's updates inside a group). The same seed writes the same SQL and,
from the same reset, the same rows: a failing seed replays alone.

Rows are picked by key order and offset, never by random() on the server, so
nothing depends on the server's own randomness; new keys come from a counter,
so no statement fails on a duplicate key.
"""
import random
import sys

SCHEMA = r"""
CREATE SCHEMA rnd;
CREATE TYPE rnd.ct AS (a float8, b text, c int);
CREATE TYPE rnd.mood AS ENUM ('sad', 'ok', 'happy');
CREATE DOMAIN rnd.posint AS int CHECK (VALUE > 0);
CREATE TABLE rnd.ck (k rnd.ct PRIMARY KEY, v int, tags text[]);
CREATE TABLE rnd.ida (id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                      v text, m rnd.mood, n rnd.posint, arr int[]);
CREATE TABLE rnd.pt (id int, k int, v text, twice int GENERATED ALWAYS AS (k * 2) STORED,
                     m rnd.mood, PRIMARY KEY (id, k)) PARTITION BY RANGE (k);
CREATE TABLE rnd.pt_lo PARTITION OF rnd.pt FOR VALUES FROM (0) TO (100);
CREATE TABLE rnd.pt_hi PARTITION OF rnd.pt FOR VALUES FROM (100) TO (1000) PARTITION BY HASH (id);
CREATE TABLE rnd.pt_hi0 PARTITION OF rnd.pt_hi FOR VALUES WITH (MODULUS 2, REMAINDER 0);
CREATE TABLE rnd.pt_hi1 PARTITION OF rnd.pt_hi FOR VALUES WITH (MODULUS 2, REMAINDER 1);
CREATE TABLE rnd.toast (id int PRIMARY KEY, big text, doc jsonb, small int);
ALTER TABLE rnd.toast ALTER big SET STORAGE EXTERNAL;
CREATE TABLE rnd.hot (id int PRIMARY KEY, n int NOT NULL, big text, note text);
ALTER TABLE rnd.hot ALTER big SET STORAGE EXTERNAL;
CREATE TABLE rnd.chk (code char(8) PRIMARY KEY, v int, flags bit(4), tags char(3)[]);
CREATE TABLE rnd.nokey (a int, b text, c int[]);
ALTER TABLE rnd.nokey REPLICA IDENTITY FULL;
CREATE TABLE rnd.parent (id int PRIMARY KEY, v text);
CREATE TABLE rnd.child (id int PRIMARY KEY, p int REFERENCES rnd.parent, v text);
"""

TABLES = ["rnd.ck", "rnd.ida", "rnd.pt", "rnd.pt_lo", "rnd.pt_hi0", "rnd.pt_hi1",
          "rnd.toast", "rnd.hot", "rnd.chk", "rnd.nokey", "rnd.parent", "rnd.child"]
MOODS = ["sad", "ok", "happy"]


def lit(s):
    return "'" + s.replace("'", "''") + "'"


def arr(values, cast="text[]"):
    return ("ARRAY[" + ", ".join(values) + "]" if values else "'{}'") + "::" + cast


class Round:
    def __init__(self, seed):
        self.r = random.Random(seed)
        self.next_key = 1
        self.out = []

    def key(self):
        self.next_key += 1
        return self.next_key

    def text(self, n=None):
        """Text with the characters that break naive quoting."""
        r = self.r
        n = n if n is not None else r.randint(0, 12)
        alphabet = "abcxyz 019'\"\\,{}()é漢\t"
        return "".join(r.choice(alphabet) for _ in range(n))

    def maybe_null(self, sql, p=0.15):
        return "NULL" if self.r.random() < p else sql

    # --- rows -------------------------------------------------------------
    def ck_row(self):
        r, k = self.r, self.key()
        return (f"(ROW({k / 7.0!r}, {lit('k' + str(k) + self.text(3))}, {k})::rnd.ct, "
                f"{self.maybe_null(str(r.randint(-99, 99)))}, "
                f"{self.maybe_null(arr([lit(self.text()) for _ in range(r.randint(0, 3))]))})")

    def ida_row(self):
        r = self.r
        return (f"({self.maybe_null(lit(self.text()))}, {lit(r.choice(MOODS))}::rnd.mood, "
                f"{r.randint(1, 1000)}, "
                f"{self.maybe_null(arr([self.maybe_null(str(r.randint(0, 9))) for _ in range(r.randint(0, 4))], 'int[]'))})")

    def pt_row(self):
        r = self.r
        return (f"({self.key()}, {r.randint(0, 999)}, {self.maybe_null(lit(self.text()))}, "
                f"{self.maybe_null(lit(r.choice(MOODS)))})")

    def toast_row(self, big=None):
        r = self.r
        big = big if big is not None else r.random() < 0.5
        n = r.randint(3000, 9000) if big else r.randint(0, 40)
        doc = '{"n": %d, "s": "%s"}' % (r.randint(0, 9), r.choice(["a", "ü", ""]))
        return (f"({self.key()}, repeat(md5({lit(str(r.random()))}), {max(n // 32, 0)}) || {lit(self.text())}, "
                f"{lit(doc)}, {r.randint(0, 100)})")

    def chk_row(self):
        """char(n), bit(n) and char(n)[]: a cast without the length cuts them."""
        r = self.r
        return (f"('c{self.key()}', {r.randint(0, 99)}, B'{r.randint(0, 15):04b}', "
                f"ARRAY['{self.text(0)}ab', 'xyz']::char(3)[])")

    def nokey_row(self):
        r = self.r
        return (f"({r.randint(1, 8)}, {self.maybe_null(lit(r.choice(['dup', 'dup', self.text(2)])))}, "
                f"{self.maybe_null(arr([str(r.randint(0, 3))], 'int[]'))})")

    def insert(self, table, maker, n, cols=""):
        rows = ", ".join(maker() for _ in range(n))
        self.out.append(f"INSERT INTO {table}{cols} VALUES {rows};")

    # --- the reset ----------------------------------------------------------
    def reset(self):
        r = self.r
        self.out.append("BEGIN;")
        self.out.append("TRUNCATE rnd.ck, rnd.ida, rnd.pt, rnd.toast, rnd.hot, rnd.chk, rnd.nokey, rnd.parent, rnd.child"
                        + (" RESTART IDENTITY;" if r.random() < 0.5 else ";"))
        self.insert("rnd.ck", self.ck_row, 150)
        self.insert("rnd.ida", self.ida_row, 150, " (v, m, n, arr)")
        self.insert("rnd.pt", self.pt_row, 300, " (id, k, v, m)")
        self.insert("rnd.toast", self.toast_row, 30)
        self.insert("rnd.nokey", self.nokey_row, 80)
        self.insert("rnd.chk", self.chk_row, 20)
        self.out.append("INSERT INTO rnd.hot SELECT g, 0, repeat(md5(g::text), 200), NULL "
                        "FROM generate_series(1, 4) g;")
        self.refill_parents()
        self.out.append("COMMIT;")

    def refill_parents(self):
        base = self.next_key
        self.next_key += 120
        self.out.append(f"INSERT INTO rnd.parent SELECT {base} + g, 'p' || g FROM generate_series(1, 40) g;")
        self.out.append(f"INSERT INTO rnd.child SELECT {base} + 40 + g, {base} + g % 40 + 1, 'c' || g "
                        "FROM generate_series(1, 80) g;")

    # --- random statements --------------------------------------------------
    def pick(self, table, key, n=1):
        """The keys of n rows, by key order from a random offset."""
        return (f"({key}) IN (SELECT {key} FROM {table} ORDER BY {key} "
                f"OFFSET {self.r.randint(0, 120)} LIMIT {n})")

    def statement(self):
        r = self.r
        n = r.choice([1, 1, 1, 2, 5, 20])
        choices = [
            lambda: self.insert("rnd.ck", self.ck_row, n),
            lambda: f"UPDATE rnd.ck SET v = coalesce(v, 0) + 1, tags = tags || {lit(self.text(2))}::text WHERE {self.pick('rnd.ck', 'k', n)};",
            lambda: f"UPDATE rnd.ck SET k = ROW((k).a, (k).b || '!', (k).c)::rnd.ct WHERE {self.pick('rnd.ck', 'k', n)};",
            lambda: f"DELETE FROM rnd.ck WHERE {self.pick('rnd.ck', 'k', n)};",
            lambda: self.insert("rnd.ida", self.ida_row, n, " (v, m, n, arr)"),
            lambda: f"UPDATE rnd.ida SET m = {lit(r.choice(MOODS))}, n = n + 1, arr = arr || {r.randint(0, 9)} WHERE {self.pick('rnd.ida', 'id', n)};",
            lambda: f"UPDATE rnd.ida SET id = DEFAULT WHERE {self.pick('rnd.ida', 'id', n)};",
            lambda: f"DELETE FROM rnd.ida WHERE {self.pick('rnd.ida', 'id', n)};",
            lambda: self.insert("rnd.pt", self.pt_row, n, " (id, k, v, m)"),
            lambda: f"UPDATE rnd.pt SET k = (k + {r.randint(1, 500)}) % 1000 WHERE {self.pick('rnd.pt', 'id, k', n)};",
            lambda: f"UPDATE rnd.pt SET id = {self.key()} WHERE {self.pick('rnd.pt', 'id, k', 1)};",
            lambda: f"UPDATE rnd.pt SET v = {self.maybe_null(lit(self.text()))} WHERE {self.pick('rnd.pt', 'id, k', n)};",
            lambda: f"DELETE FROM rnd.pt WHERE {self.pick('rnd.pt', 'id, k', n)};",
            lambda: self.insert("rnd.toast", self.toast_row, max(1, n // 4)),
            lambda: f"UPDATE rnd.toast SET small = small + 1 WHERE {self.pick('rnd.toast', 'id', n)};",
            lambda: f"UPDATE rnd.toast SET big = big || {lit(self.text(40))} WHERE {self.pick('rnd.toast', 'id', 1)};",
            lambda: f"UPDATE rnd.toast SET id = {self.key()} WHERE {self.pick('rnd.toast', 'id', 1)};",
            lambda: f"DELETE FROM rnd.toast WHERE {self.pick('rnd.toast', 'id', 1)};",
            lambda: f"UPDATE rnd.hot SET n = n + 1 WHERE id = {r.randint(1, 4)};",
            lambda: f"UPDATE rnd.hot SET n = n + 1 WHERE id = {r.randint(1, 4)};",
            lambda: f"UPDATE rnd.hot SET n = n + 1, note = {self.maybe_null(lit(self.text()))};",
            lambda: f"UPDATE rnd.hot SET big = repeat(md5({lit(str(r.random()))}), {r.randint(1, 300)}), n = n + 1 WHERE id = {r.randint(1, 4)};",
            lambda: f"UPDATE rnd.hot SET id = id WHERE id = {r.randint(1, 4)};",
            lambda: self.insert("rnd.chk", self.chk_row, n),
            lambda: f"UPDATE rnd.chk SET v = v + 1, flags = ~flags WHERE {self.pick('rnd.chk', 'code', n)};",
            lambda: f"UPDATE rnd.chk SET code = 'k{self.key()}' WHERE {self.pick('rnd.chk', 'code', 1)};",
            lambda: f"DELETE FROM rnd.chk WHERE {self.pick('rnd.chk', 'code', 1)};",
            lambda: self.insert("rnd.nokey", self.nokey_row, n),
            lambda: f"UPDATE rnd.nokey SET c = c || {r.randint(0, 3)} WHERE ctid = (SELECT ctid FROM rnd.nokey WHERE a = {r.randint(1, 8)} LIMIT 1);",
            lambda: f"UPDATE rnd.nokey SET b = {self.maybe_null(lit('dup'))} WHERE a = {r.randint(1, 8)};",
            lambda: f"DELETE FROM rnd.nokey WHERE ctid = (SELECT ctid FROM rnd.nokey WHERE a = {r.randint(1, 8)} LIMIT 1);",
            lambda: f"INSERT INTO rnd.parent VALUES ({self.key()}, {lit(self.text())});",
            lambda: f"INSERT INTO rnd.child SELECT {self.key()}, id, 'c' FROM rnd.parent ORDER BY id OFFSET {r.randint(0, 30)} LIMIT 1;",
            lambda: f"UPDATE rnd.child SET v = {lit(self.text())} WHERE {self.pick('rnd.child', 'id', n)};",
            lambda: f"DELETE FROM rnd.child WHERE {self.pick('rnd.child', 'id', n)};",
        ]
        # A TRUNCATE is followed by fresh rows, so the rest of the round
        # still has rows to change there.
        rare = [
            ("TRUNCATE rnd.pt;", lambda: self.insert("rnd.pt", self.pt_row, 40, " (id, k, v, m)")),
            ("TRUNCATE rnd.pt_lo;", lambda: self.insert("rnd.pt", self.pt_row, 20, " (id, k, v, m)")),
            ("TRUNCATE rnd.parent, rnd.child;", self.refill_parents),
            ("TRUNCATE rnd.nokey, rnd.toast;", lambda: (self.insert("rnd.nokey", self.nokey_row, 20),
                                                         self.insert("rnd.toast", self.toast_row, 5))),
            ("TRUNCATE rnd.ida RESTART IDENTITY;", lambda: self.insert("rnd.ida", self.ida_row, 30, " (v, m, n, arr)")),
            ("TRUNCATE rnd.parent CASCADE;", self.refill_parents),
        ]
        if r.random() < 0.02:
            truncate, refill = r.choice(rare)
            self.out.append(truncate)
            refill()
            return
        sql = r.choice(choices)()
        if sql is not None:
            self.out.append(sql)

    def big(self):
        """One transaction far past logical_decoding_work_mem: streamed."""
        base = self.next_key
        self.next_key += 3000
        self.out.append(f"INSERT INTO rnd.pt (id, k, v, m) SELECT {base} + g, g % 1000, "
                        f"md5(g::text) || {lit(self.text())}, 'ok' FROM generate_series(1, 3000) g;")

    def transaction(self):
        r = self.r
        statements = r.choice([1, 1, 1, 2, 3, 6])
        ending = r.choices(["COMMIT", "ROLLBACK"], [85, 15])[0]
        savepoint = statements > 1 and r.random() < 0.3
        self.out.append("BEGIN;")
        for i in range(statements):
            if savepoint and i == statements // 2:
                self.out.append("SAVEPOINT s;")
            self.statement()
            if r.random() < 0.03:
                self.big()
        if savepoint:
            self.out.append(r.choice(["ROLLBACK TO SAVEPOINT s;", "RELEASE SAVEPOINT s;"]))
            self.statement()
        self.out.append(ending + ";")


def main():
    if sys.argv[1:2] == ["schema"]:
        print(SCHEMA)
    elif sys.argv[1:2] == ["tables"]:
        print(" ".join(TABLES))
    elif sys.argv[1:2] == ["round"] and len(sys.argv) == 3:
        rnd = Round(int(sys.argv[2]))
        rnd.reset()
        for _ in range(rnd.r.randint(40, 80)):
            rnd.transaction()
        print("\n".join(rnd.out))
    else:
        sys.exit("usage: random_workload.py schema | tables | round SEED")


if __name__ == "__main__":
    main()
