/* The local feed's cache (engine/local_cache.h): a snapshot costs what
 * changed. Each finished task unchanged since it was read is the same
 * part from one snapshot to the next (its strings at the same address:
 * nothing read or parsed again); a task told changed, one whose files
 * differ in a full pass, and a live one whose refresh is due are read
 * again; tasks come and go; snapshots outlive the cache that made them
 * (ASan checks that nothing they point to was freed). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/local_cache.h"
#include "engine/taskdir.h"

static char state[256];

static void put(const char *task, const char *file, const char *text)
{
    char path[512], tmp[520];
    snprintf(path, sizeof path, "%s/tasks/%s", state, task);
    mkdir(path, 0700);
    snprintf(path, sizeof path, "%s/tasks/%s/%s", state, task, file);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    assert_int_equal(rename(tmp, path), 0); /* as the runner writes: a new inode */
}

static void make_task(const char *task, const char *status)
{
    char spec[1024], st[256];
    snprintf(spec, sizeof spec,
             "{\"apiVersion\":\"datamigration.apecloud.io/v1alpha1\",\"kind\":\"MigrationTask\","
             "\"metadata\":{\"name\":\"%s\",\"namespace\":\"\",\"creationTimestamp\":"
             "\"2026-12-03T11:37:29Z\"},\"spec\":{\"taskType\":\"initialization\","
             "\"template\":\"migtop-local-pg2pg\",\"initialization\":{\"steps\":[\"preCheck\"]}}}",
             task);
    snprintf(st, sizeof st, "{\"taskStatus\":\"%s\",\"steps\":[{\"step\":\"precheck\","
             "\"status\":\"Failed\"}]}", status);
    put(task, ENGINE_SPEC_FILE, spec);
    put(task, ENGINE_STATUS_FILE, st);
}

static int setup(void **st)
{
    (void)st;
    snprintf(state, sizeof state, "/tmp/migtop-cache-XXXXXX");
    assert_non_null(mkdtemp(state));
    char p[300];
    snprintf(p, sizeof p, "%s/tasks", state);
    mkdir(p, 0700);
    return 0;
}

static int teardown(void **st)
{
    (void)st;
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", state);
    return system(cmd);
}

static const mt_task *task(const mt_snapshot *s, const char *name)
{
    const mt_task *t = mt_snapshot_task(s, NULL, name);
    assert_non_null(t);
    return t;
}

static mt_snapshot *snap(local_cache *c, char **told, size_t n, bool all, int64_t due,
                         bool *changed)
{
    local_changes ch = {.tasks = told, .n = n, .all = all, .due_ms = due};
    return local_cache_snapshot(c, &ch, changed);
}

static void test_first_screen_then_all(void **st)
{
    (void)st;
    make_task("a", "Failed");
    make_task("b", "Done");
    make_task("c", "Failed");
    local_cache *c = local_cache_new(state);
    size_t total;
    mt_snapshot *first = local_cache_first(c, 2, &total);
    assert_int_equal(total, 3);
    assert_int_equal(first->n_tasks, 2);
    assert_int_equal(first->n_notices, 1);
    assert_non_null(strstr(first->notices[0], "the first 2 of 3"));
    assert_true(local_cache_live(c)); /* not all seen yet */
    bool changed;
    mt_snapshot *all = snap(c, NULL, 0, false, 5000, &changed); /* not listed: a full pass */
    assert_true(changed);
    assert_int_equal(all->n_tasks, 3);
    assert_int_equal(all->n_templates, 1);
    assert_int_equal(all->n_jobs, 3);
    /* a and b were read for the first screen and kept */
    assert_ptr_equal(task(first, "a")->meta.name, task(all, "a")->meta.name);
    assert_false(local_cache_live(c)); /* all finished, no runner */
    local_cache_free(c);
    /* snapshots live on after the cache */
    assert_string_equal(task(all, "c")->task_status, "Failed");
    mt_snapshot_free(first);
    mt_snapshot_free(all);
}

static void test_only_what_changed_is_read(void **st)
{
    (void)st;
    make_task("a", "Failed");
    make_task("b", "Done");
    local_cache *c = local_cache_new(state);
    mt_snapshot *s1 = snap(c, NULL, 0, true, 5000, NULL);
    put("b", ENGINE_STATUS_FILE, "{\"taskStatus\":\"Failed\"}");
    char *told[] = {"b"};
    bool changed;
    mt_snapshot *s2 = snap(c, told, 1, false, 5000, &changed);
    assert_true(changed);
    assert_ptr_equal(task(s1, "a")->meta.name, task(s2, "a")->meta.name);
    assert_ptr_not_equal(task(s1, "b")->meta.name, task(s2, "b")->meta.name);
    assert_string_equal(task(s1, "b")->task_status, "Done"); /* the old one unchanged */
    assert_string_equal(task(s2, "b")->task_status, "Failed");
    /* Nothing told, nothing due: nothing read, the same parts again. */
    mt_snapshot *s3 = snap(c, NULL, 0, false, 5000, &changed);
    assert_false(changed);
    assert_ptr_equal(task(s2, "b")->meta.name, task(s3, "b")->meta.name);
    mt_snapshot_free(s1);
    mt_snapshot_free(s2);
    mt_snapshot_free(s3);
    local_cache_free(c);
}

static void test_full_pass_compares_files(void **st)
{
    (void)st;
    make_task("a", "Failed");
    make_task("b", "Done");
    local_cache *c = local_cache_new(state);
    mt_snapshot *s1 = snap(c, NULL, 0, true, 5000, NULL);
    /* changed behind the watch's back (events lost): a full pass sees it */
    put("a", ENGINE_STATUS_FILE, "{\"taskStatus\":\"Done\"}");
    bool changed;
    mt_snapshot *s2 = snap(c, NULL, 0, true, 5000, &changed);
    assert_true(changed);
    assert_string_equal(task(s2, "a")->task_status, "Done");
    assert_ptr_equal(task(s1, "b")->meta.name, task(s2, "b")->meta.name);
    mt_snapshot *s3 = snap(c, NULL, 0, true, 5000, &changed);
    assert_false(changed); /* a full pass of unchanged files reads nothing */
    mt_snapshot_free(s1);
    mt_snapshot_free(s2);
    mt_snapshot_free(s3);
    local_cache_free(c);
}

static void test_live_task_read_when_due(void **st)
{
    (void)st;
    make_task("a", "Failed");
    make_task("run", "Running"); /* no runner holds it: its health changes with time */
    local_cache *c = local_cache_new(state);
    mt_snapshot *s1 = snap(c, NULL, 0, true, 5000, NULL);
    assert_true(local_cache_live(c));
    bool changed;
    mt_snapshot *s2 = snap(c, NULL, 0, false, 5000, &changed); /* not due yet */
    assert_false(changed);
    assert_ptr_equal(task(s1, "run")->meta.name, task(s2, "run")->meta.name);
    mt_snapshot *s3 = snap(c, NULL, 0, false, 0, &changed); /* due */
    assert_true(changed);
    assert_ptr_not_equal(task(s1, "run")->meta.name, task(s3, "run")->meta.name);
    assert_ptr_equal(task(s1, "a")->meta.name, task(s3, "a")->meta.name);
    mt_snapshot_free(s1);
    mt_snapshot_free(s2);
    mt_snapshot_free(s3);
    local_cache_free(c);
}

static void test_tasks_come_and_go(void **st)
{
    (void)st;
    make_task("b", "Failed");
    make_task("d", "Failed");
    local_cache *c = local_cache_new(state);
    mt_snapshot *s1 = snap(c, NULL, 0, true, 5000, NULL);
    make_task("a", "Done");
    make_task("c", "Done");
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf '%s/tasks/d'", state);
    assert_int_equal(system(cmd), 0);
    /* a spec that does not parse: not shown, nothing else hidden */
    put("e", ENGINE_SPEC_FILE, "{\"kind\":");
    char *told[] = {"c", "a", "d", "e", "nosuch", "../x"};
    mt_snapshot *s2 = snap(c, told, 6, false, 5000, NULL);
    assert_int_equal(s2->n_tasks, 3);
    const char *want[] = {"a", "b", "c"};
    for (int i = 0; i < 3; i++)
        assert_string_equal(s2->tasks[i].meta.name, want[i]);
    assert_non_null(mt_snapshot_task(s1, NULL, "d")); /* the old snapshot keeps it */
    make_task("d", "Done");
    mt_snapshot *s3 = snap(c, NULL, 0, true, 5000, NULL);
    assert_int_equal(s3->n_tasks, 4);
    assert_string_equal(s3->tasks[3].meta.name, "d");
    mt_snapshot_free(s1);
    mt_snapshot_free(s2);
    mt_snapshot_free(s3);
    local_cache_free(c);
}

/* Each kept task is named once for its kept readings; one made again
 * (removed, then the same name) is named again. */
static void test_unseen_named_once(void **st)
{
    (void)st;
    make_task("a", "Done");
    make_task("b", "Done");
    local_cache *c = local_cache_new(state);
    mt_snapshot_free(snap(c, NULL, 0, true, 5000, NULL));
    const char *names[4];
    assert_int_equal(local_cache_unseen(c, names, 1), 1);
    assert_string_equal(names[0], "a");
    assert_int_equal(local_cache_unseen(c, names, 4), 1);
    assert_string_equal(names[0], "b");
    assert_int_equal(local_cache_unseen(c, names, 4), 0);
    make_task("b", "Failed"); /* read again: not new */
    char *told[] = {"b"};
    mt_snapshot_free(snap(c, told, 1, false, 5000, NULL));
    assert_int_equal(local_cache_unseen(c, names, 4), 0);
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf '%s/tasks/a'", state);
    assert_int_equal(system(cmd), 0);
    mt_snapshot_free(snap(c, NULL, 0, true, 5000, NULL));
    make_task("a", "Done");
    mt_snapshot_free(snap(c, NULL, 0, true, 5000, NULL));
    assert_int_equal(local_cache_unseen(c, names, 4), 1);
    assert_string_equal(names[0], "a");
    local_cache_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_first_screen_then_all, setup, teardown),
        cmocka_unit_test_setup_teardown(test_only_what_changed_is_read, setup, teardown),
        cmocka_unit_test_setup_teardown(test_full_pass_compares_files, setup, teardown),
        cmocka_unit_test_setup_teardown(test_live_task_read_when_due, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tasks_come_and_go, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unseen_named_once, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
