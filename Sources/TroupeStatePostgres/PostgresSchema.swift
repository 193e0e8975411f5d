/// The shared database's schema, one migration a version, applied in order by whichever
/// runner (or `troupe state migrate`) comes first: under a transaction-scoped advisory lock,
/// so two runners starting together never apply one twice. A database a newer troupe
/// migrated past what this one knows is refused, not written.
enum PostgresSchema {
    /// Any number, the same for every troupe: the advisory lock the migrations take.
    static let migrationLock = 7_310_442_118

    static let migrations: [(version: Int, name: String, sql: String)] = [
        (1, "jobs, ledger, runners, account slots", """
        CREATE TABLE troupe_job (
            key text PRIMARY KEY, id text NOT NULL, kind text NOT NULL, state text NOT NULL,
            external_task_id text UNIQUE, task_id text, attempts bigint NOT NULL DEFAULT 0,
            units double precision NOT NULL DEFAULT 0, units_charged double precision, element_id bigint,
            result_sha256 text, result_duration double precision, last_error text,
            reroll bigint NOT NULL DEFAULT 0, units_rerolled double precision NOT NULL DEFAULT 0,
            created_at timestamptz NOT NULL, updated_at timestamptz NOT NULL,
            -- The runner working on the job (paid jobs only) and until when, unless it renews.
            lease_owner text, lease_until timestamptz
        );
        CREATE INDEX troupe_job_lease_owner ON troupe_job (lease_owner) WHERE lease_owner IS NOT NULL;
        CREATE TABLE troupe_ledger (
            seq bigserial PRIMARY KEY, key text NOT NULL, external_task_id text NOT NULL, event text NOT NULL,
            detail text, at timestamptz NOT NULL, runner text
        );
        CREATE INDEX troupe_ledger_key ON troupe_ledger (key);
        -- The ledger is append-only, whoever connects: updates, deletes and truncation refused.
        CREATE FUNCTION troupe_ledger_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN RAISE EXCEPTION 'ledger is append-only'; END $$;
        CREATE TRIGGER troupe_ledger_no_change BEFORE UPDATE OR DELETE ON troupe_ledger
            FOR EACH ROW EXECUTE FUNCTION troupe_ledger_append_only();
        CREATE TRIGGER troupe_ledger_no_truncate BEFORE TRUNCATE ON troupe_ledger
            FOR EACH STATEMENT EXECUTE FUNCTION troupe_ledger_append_only();
        CREATE TABLE troupe_runner (
            id text PRIMARY KEY, host text NOT NULL, pid bigint NOT NULL, campaign text NOT NULL, account text,
            started_at timestamptz NOT NULL, seen_at timestamptz NOT NULL, lease_seconds double precision NOT NULL
        );
        -- A provider account (a hash of its access key, never the key): its concurrency, the
        -- gate a 1303 lowered and until when, and the create-rate token bucket (real seconds).
        CREATE TABLE troupe_account (
            id text PRIMARY KEY, concurrency bigint NOT NULL, lowered_to bigint, lowered_until timestamptz,
            rate double precision NOT NULL, tokens double precision NOT NULL, refilled_at timestamptz NOT NULL
        );
        -- A slot of an account held for one job's task, until it ends or the lease runs out.
        CREATE TABLE troupe_slot (
            account text NOT NULL, key text NOT NULL, runner text NOT NULL, until timestamptz NOT NULL,
            PRIMARY KEY (account, key)
        );
        -- Takes a slot (and a create token) for a job, in one statement: the account's row is
        -- locked, so runners taking slots at the same moment queue here and each one counts
        -- what the ones before it took (every statement in a function sees the latest commits).
        -- 0: taken; -1: every slot is in use; -2: in use, some by a dead runner's tasks;
        -- > 0: seconds until a create token.
        CREATE FUNCTION troupe_take_slot(p_account text, p_key text, p_runner text, p_ttl double precision)
        RETURNS double precision LANGUAGE plpgsql AS $$
        DECLARE
            a troupe_account%ROWTYPE;
            used bigint;
            lim bigint;
            avail double precision;
            t timestamptz := clock_timestamp();
        BEGIN
            SELECT * INTO a FROM troupe_account WHERE id = p_account FOR UPDATE;
            IF NOT FOUND THEN RAISE EXCEPTION 'unknown account %', p_account; END IF;
            t := clock_timestamp();
            IF EXISTS (SELECT 1 FROM troupe_slot WHERE account = p_account AND key = p_key) THEN
                UPDATE troupe_slot SET runner = p_runner, until = t + p_ttl * interval '1 second'
                    WHERE account = p_account AND key = p_key;
                RETURN 0;
            END IF;
            lim := a.concurrency;
            IF a.lowered_until IS NOT NULL AND a.lowered_until > t THEN lim := LEAST(lim, a.lowered_to); END IF;
            -- A slot whose lease ran out (its runner died) still counts while its job's task may
            -- be in flight: the provider runs it until a runner takes the job over.
            DELETE FROM troupe_slot s WHERE s.account = p_account AND s.until <= t
                AND NOT EXISTS (SELECT 1 FROM troupe_job j WHERE j.key = s.key AND j.state IN ('submitting', 'submitted'));
            SELECT count(*) INTO used FROM troupe_slot WHERE account = p_account;
            IF used >= lim THEN
                -- Full, and some of it held for tasks of a runner that died: -2 tells the asker
                -- to let its job wait and take one of those over instead (its queue has them).
                IF EXISTS (SELECT 1 FROM troupe_slot s JOIN troupe_job j ON j.key = s.key
                           WHERE s.account = p_account AND s.until <= t AND (j.lease_owner IS NULL OR j.lease_until < t)) THEN
                    RETURN -2;
                END IF;
                RETURN -1;
            END IF;
            avail := LEAST(GREATEST(1, a.rate), a.tokens + a.rate * extract(epoch FROM t - a.refilled_at));
            IF avail < 1 THEN RETURN (1 - avail) / a.rate; END IF;
            UPDATE troupe_account SET tokens = avail - 1, refilled_at = t WHERE id = p_account;
            INSERT INTO troupe_slot VALUES (p_account, p_key, p_runner, t + p_ttl * interval '1 second')
                ON CONFLICT (account, key) DO UPDATE SET runner = excluded.runner, until = excluded.until;
            RETURN 0;
        END $$;
        """),
        (2, "a slot handed from a finished task to the runner's next job", """
        -- As troupe_take_slot, and when `p_from` names a slot this runner holds for a task that
        -- has ended, that slot is moved to `p_key` instead of freed and taken again: one
        -- statement where two were (and no NOTIFY waking every runner for a slot kept here).
        -- Under a lowered gate with more in flight than it allows, the slot is freed instead.
        CREATE FUNCTION troupe_take_slot(p_account text, p_key text, p_runner text, p_ttl double precision, p_from text)
        RETURNS double precision LANGUAGE plpgsql AS $$
        DECLARE
            a troupe_account%ROWTYPE;
            used bigint;
            lim bigint;
            avail double precision;
            t timestamptz;
        BEGIN
            IF p_from IS NULL THEN RETURN troupe_take_slot(p_account, p_key, p_runner, p_ttl); END IF;
            SELECT * INTO a FROM troupe_account WHERE id = p_account FOR UPDATE;
            IF NOT FOUND THEN RAISE EXCEPTION 'unknown account %', p_account; END IF;
            t := clock_timestamp();
            IF NOT EXISTS (SELECT 1 FROM troupe_slot WHERE account = p_account AND key = p_from AND runner = p_runner) THEN
                RETURN troupe_take_slot(p_account, p_key, p_runner, p_ttl);
            END IF;
            lim := a.concurrency;
            IF a.lowered_until IS NOT NULL AND a.lowered_until > t THEN lim := LEAST(lim, a.lowered_to); END IF;
            SELECT count(*) INTO used FROM troupe_slot WHERE account = p_account;
            IF used > lim OR EXISTS (SELECT 1 FROM troupe_slot WHERE account = p_account AND key = p_key) THEN
                DELETE FROM troupe_slot WHERE account = p_account AND key = p_from AND runner = p_runner;
                PERFORM pg_notify('troupe_slots', p_account);
                RETURN troupe_take_slot(p_account, p_key, p_runner, p_ttl);
            END IF;
            avail := LEAST(GREATEST(1, a.rate), a.tokens + a.rate * extract(epoch FROM t - a.refilled_at));
            -- No create token yet: the slot stays where it is, this runner's, for the next try.
            IF avail < 1 THEN RETURN (1 - avail) / a.rate; END IF;
            UPDATE troupe_account SET tokens = avail - 1, refilled_at = t WHERE id = p_account;
            UPDATE troupe_slot SET key = p_key, until = t + p_ttl * interval '1 second'
                WHERE account = p_account AND key = p_from AND runner = p_runner;
            RETURN 0;
        END $$;
        """),
        (3, "a job's slot held by another live runner is not taken from it", """
        -- As v1, and -3 when the job's own slot is another live runner's (its lease on the job
        -- outlived this runner's).
        CREATE OR REPLACE FUNCTION troupe_take_slot(p_account text, p_key text, p_runner text, p_ttl double precision)
        RETURNS double precision LANGUAGE plpgsql AS $$
        DECLARE
            a troupe_account%ROWTYPE;
            used bigint;
            lim bigint;
            avail double precision;
            t timestamptz := clock_timestamp();
        BEGIN
            SELECT * INTO a FROM troupe_account WHERE id = p_account FOR UPDATE;
            IF NOT FOUND THEN RAISE EXCEPTION 'unknown account %', p_account; END IF;
            t := clock_timestamp();
            IF EXISTS (SELECT 1 FROM troupe_slot WHERE account = p_account AND key = p_key) THEN
                -- Held for the job's task by another live runner: the job is that runner's (this
                -- one's claim is stale). Taken, the slot would be freed by this runner's refused
                -- intent while that task still runs, and one more task let in.
                IF EXISTS (SELECT 1 FROM troupe_slot WHERE account = p_account AND key = p_key
                           AND runner <> p_runner AND until > t) THEN
                    RETURN -3;
                END IF;
                UPDATE troupe_slot SET runner = p_runner, until = t + p_ttl * interval '1 second'
                    WHERE account = p_account AND key = p_key;
                RETURN 0;
            END IF;
            lim := a.concurrency;
            IF a.lowered_until IS NOT NULL AND a.lowered_until > t THEN lim := LEAST(lim, a.lowered_to); END IF;
            -- A slot whose lease ran out (its runner died) still counts while its job's task may
            -- be in flight: the provider runs it until a runner takes the job over.
            DELETE FROM troupe_slot s WHERE s.account = p_account AND s.until <= t
                AND NOT EXISTS (SELECT 1 FROM troupe_job j WHERE j.key = s.key AND j.state IN ('submitting', 'submitted'));
            SELECT count(*) INTO used FROM troupe_slot WHERE account = p_account;
            IF used >= lim THEN
                -- Full, and some of it held for tasks of a runner that died: -2 tells the asker
                -- to let its job wait and take one of those over instead (its queue has them).
                IF EXISTS (SELECT 1 FROM troupe_slot s JOIN troupe_job j ON j.key = s.key
                           WHERE s.account = p_account AND s.until <= t AND (j.lease_owner IS NULL OR j.lease_until < t)) THEN
                    RETURN -2;
                END IF;
                RETURN -1;
            END IF;
            avail := LEAST(GREATEST(1, a.rate), a.tokens + a.rate * extract(epoch FROM t - a.refilled_at));
            IF avail < 1 THEN RETURN (1 - avail) / a.rate; END IF;
            UPDATE troupe_account SET tokens = avail - 1, refilled_at = t WHERE id = p_account;
            INSERT INTO troupe_slot VALUES (p_account, p_key, p_runner, t + p_ttl * interval '1 second')
                ON CONFLICT (account, key) DO UPDATE SET runner = excluded.runner, until = excluded.until;
            RETURN 0;
        END $$;
        """),
        (4, "the last run's timeline of each campaign", """
        -- Written once as a run ends, replacing the run before's: its jobs' bars in one JSON
        -- text (RunTimeline+Stored), times as seconds since 1970.
        CREATE TABLE troupe_timeline (
            campaign text PRIMARY KEY, started_at double precision NOT NULL, ended_at double precision NOT NULL,
            jobs text NOT NULL, runner text
        );
        """),
        (5, "provider handles (fal's status and response URLs)", """
        ALTER TABLE troupe_job ADD COLUMN provider_handle text;
        """),
    ]

    static var latest: Int { migrations.last?.version ?? 0 }
}
