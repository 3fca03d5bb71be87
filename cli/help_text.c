/* The words of every command's help (cli/help.h). Keep them short: they
 * are read on a bastion host at 2 a.m., and they make the manual page. */
#include "cli/help.h"

#include <stddef.h>

const help_flag help_backend_flags[] = {
    {"--backend", "local|kube", "where tasks live: the KubeBlocks add-on on Kubernetes, or "
     "migtop's local engine (default: kube when a kubeconfig is usable, local otherwise)",
     "local kube"},
    {"--kubeconfig", "FILE", "the kubeconfig to use (default: $KUBECONFIG, else ~/.kube/config)",
     "@file"},
    {"--context", "NAME", "the kubeconfig context to use", NULL},
    {"-n, --namespace", "NS", "the namespace (default: the context's)", NULL},
    {"-A, --all-namespaces", NULL, "every namespace", NULL},
    {"--state-dir", "DIR", "local tasks' directory (default: $XDG_STATE_HOME/migtop, else "
     "~/.local/state/migtop)", "@dir"},
    {NULL, NULL, NULL, NULL},
};

const help_flag help_probe_flags[] = {
    {"--source", "EP", "the source: user:password@host:port/db, user@host:port/db (the "
     "password from ~/.pgpass), a postgresql:// URI, key=value pairs or service=NAME", NULL},
    {"--sink", "EP", "the sink, written like --source", NULL},
    {"--migration-object", "OBJS", "the objects: '\"public.t1\",\"public.t2\"' or a schema "
     "('\"sales\"'), as kbcli takes them; may be repeated", NULL},
    {"--timeout", "S", "seconds to wait for a server (default 10)", NULL},
    {NULL, NULL, NULL, NULL},
};

const help_flag help_readonly_flag[] = {
    {"--readonly", NULL, "refuse everything that writes (create, terminate, the wizards)", NULL},
    {NULL, NULL, NULL, NULL},
};

const help_cmd help_cmds[] = {
    {"", "[--file PATH] [--theme NAME] [--readonly] [backend flags]",
     "the dashboard",
     "Without a command, migtop opens the dashboard: the migration tasks live, each "
     "task's steps, copy progress, CDC position and lag, and the wizards that create a "
     "task, cut it over and terminate it. Press ? in it for every key.",
     NULL, HELP_BACKEND | HELP_READONLY,
     {{"--file", "PATH", "watch a saved snapshot (kubectl get migrationtasks,migrationtemplates,"
       "jobs,pods,statefulsets -A -o json), re-read when it changes", "@file"},
      {"--theme", "NAME|PATH", "default, light, high-contrast, mono, or a YAML file",
       "default light high-contrast mono"},
      {"--pod-tz", "ZONE", "zone of CDC timestamps that carry none (default UTC)", NULL},
      {"--lag-threshold", "S", "lag shown as a warning above S seconds (default 5)", NULL},
      {"--refresh-ms", "MS", "how often ages are redrawn (default 1000)", NULL},
      {"--no-mouse", NULL, "leave the mouse to the terminal (its own text selection); by "
       "default a click selects a row (again: opens it) and the wheel scrolls", NULL},
      {"--version", NULL, "print the version", NULL},
      {NULL, NULL, NULL, NULL}},
     "0 quit, 1 the terminal or the backend could not be set up, 2 bad usage",
     {"migtop", "migtop --backend kube --context prod -n orders", "migtop --backend local",
      "NO_COLOR=1 migtop --readonly"}},
    {"list", "[NAME] [-o table|wide|json|yaml|name] [-l SELECTOR] [--show-labels]", "list tasks (kbcli migration list; alias: ls)",
     "Prints NAME, TEMPLATE, STATUS and AGE of every task, as kbcli does; -o wide adds the "
     "type, source, sink (passwords masked) and creation time; -o json|yaml prints the "
     "objects as kubectl would.",
     "@task", HELP_BACKEND,
     {{"-o, --output", "FORMAT", "table (default), wide, json, yaml, name, or jsonpath=TEMPLATE "
       "(kubectl's: {.items[*].metadata.name}, {range .items[*]}...{end}, [N], [-1], @, "
       "{\"\\n\"})", "table wide json yaml name jsonpath="},
      {"--no-headers", NULL, "the rows without the header line, for scripts", NULL},
      {"-l, --selector", "SELECTOR", "only the tasks whose labels match, as kubectl: app=shop, "
       "tier!=web, env in (prod,stage), env notin (dev), owner, !owner; terms joined by ','",
       NULL},
      {"--show-labels", NULL, "a LABELS column (key=value,... or <none>)", NULL},
      {"--show-secrets", NULL, "with -o json|yaml: print the endpoints' passwords (masked as "
       "**** otherwise)", NULL},
      {NULL, NULL, NULL, NULL}},
     "0 listed (also when there is none), 1 the backend failed, 2 bad usage",
     {"migtop list -A", "migtop list mytask -o yaml", "migtop ls --no-headers",
      "migtop list -l 'team=payments,env in (prod)' --show-labels",
      "migtop list -o jsonpath='{range .items[*]}{.metadata.name} {.status.taskStatus}{\"\\n\"}{end}'"}},
    {"describe", "NAME", "one task as kbcli describes it (passwords masked)",
     "Prints kbcli's sections (summary, config, template, initialization, CDC, CDC "
     "metrics) and the lag migtop derives from the metrics.",
     "@task", HELP_BACKEND,
     {{"--pod-tz", "ZONE", "zone of CDC timestamps that carry none (default UTC)", NULL},
      {NULL, NULL, NULL, NULL}},
     "0 described, 1 not found or the backend failed, 2 bad usage",
     {"migtop describe mytask", "migtop describe mytask --pod-tz UTC+8"}},
    {"logs", "NAME --step STEP", "a step's logs (kbcli migration logs)",
     "Prints the log of one step of a task: the step's pod on Kubernetes, the step's log "
     "file for a local task.",
     "@task", HELP_BACKEND,
     {{"--step", "STEP", "precheck, init-struct, init-data or cdc",
       "precheck init-struct init-data cdc"},
      {"--tail", "N", "the last N lines only (-1: all)", NULL},
      {"-f, --follow", NULL, "keep printing new lines", NULL},
      {"--since", "DURATION", "lines of the last 30s, 5m, 1h...", NULL},
      {"--timestamps", NULL, "each line with its time", NULL},
      {"-p, --previous", NULL, "the step pod's previous container (Kubernetes)", NULL},
      {NULL, NULL, NULL, NULL}},
     "0 printed, 1 not found or the backend failed, 2 bad usage",
     {"migtop logs mytask --step cdc -f", "migtop logs mytask --step init-data --tail 50"}},
    {"templates", "[NAME] [-o table|wide|json|yaml|name]", "list migration templates",
     "Prints the MigrationTemplates (Kubernetes) or the local engine's own template.",
     NULL, HELP_BACKEND,
     {{"-o, --output", "FORMAT", "table (default), wide, json, yaml, name, or jsonpath=TEMPLATE",
       "table wide json yaml name jsonpath="},
      {"--no-headers", NULL, "the rows without the header line, for scripts", NULL},
      {"-l, --selector", "SELECTOR", "only the templates whose labels match (as list -l)", NULL},
      {NULL, NULL, NULL, NULL}},
     "0 listed, 1 the backend failed, 2 bad usage",
     {"migtop templates", "migtop templates apecloud-pg2pg -o yaml"}},
    {"create", "NAME --template T --source EP --sink EP --migration-object OBJS",
     "create a task (kbcli migration create)",
     "Creates the task kbcli would create from the same flags: a MigrationTask on "
     "Kubernetes, or with --local a local task whose runner starts at once, detached, "
     "and outlives the session. Passwords go into a 0600 file, never into the spec.",
     NULL, HELP_BACKEND | HELP_READONLY,
     {{"--template", "NAME", "the MigrationTemplate (apecloud-pg2pg; migtop-local-pg2pg for the "
       "local engine)", NULL},
      {"--source", "EP", "the source (see precheck)", NULL},
      {"--sink", "EP", "the sink", NULL},
      {"--migration-object", "OBJS", "'\"public.t1\",\"public.t2\"' or a schema; may be repeated",
       NULL},
      {"--steps", "LIST", "precheck=true,init-struct=true,init-data=true,cdc=true", NULL},
      {"--sink-tables", "fail|truncate|append", "a sink table that already holds rows: refuse "
       "the task (default), empty it (each one logged with its row count) or keep its rows",
       "fail truncate append"},
      {"--copy-rate", "RATE", "local tasks: init-data copies at most RATE bytes a second, all "
       "workers together (20MB, 1.5GiB, 500k; 0: no limit), so the source's I/O stays for its "
       "business", NULL},
      {"--label", "KEY=VALUE", "a label on the task (its metadata.labels), for list -l; may be "
       "repeated", NULL},
      {"--local", NULL, "a local task (the local engine) whatever the backend", NULL},
      {"--systemd", "user|system", "local tasks: run its supervisor as the systemd unit "
       "migtop-task@NAME (installed and enabled), so it starts again after a reboot",
       "user system"},
      {NULL, NULL, NULL, NULL}},
     "0 created, 1 refused or failed, 2 bad usage",
     {"migtop create shop --template apecloud-pg2pg --source mig:secret@10.0.0.5:5432/shop "
      "--sink postgres:secret@pg-sink:5432/shop --migration-object '\"public\"'",
      "migtop create shop --local --template migtop-local-pg2pg --source mig@db1/shop --sink mig@db2/shop "
      "--migration-object '\"public\"'"}},
    {"terminate", "NAME", "terminate a task and wait until it is gone",
     "Deletes the task and follows it through Terminating (the replication slot and the "
     "publication dropped on the source) until it is gone.",
     "@task", HELP_BACKEND | HELP_READONLY,
     {{"--wait", "true|false", "wait until the task is gone (default true)", "true false"},
      {"--timeout", "DURATION", "give up waiting after 30s, 10m... (default 10m)", NULL},
      {"--force", NULL, "local tasks: if the cleanup has not finished within 10 s (a server "
       "gone for good), forget the task and print what may remain (slot, publication, "
       "origin) with the SQL to drop each; the list is kept in STATE/forgotten/", NULL},
      {NULL, NULL, NULL, NULL}},
     "0 gone, 1 failed or timed out, 2 bad usage",
     {"migtop terminate shop", "migtop terminate shop --wait=false"}},
    {"run", "NAME", "run a local task in the foreground",
     "Runs the local task NAME: precheck, init-struct, init-data, post-data (indexes, "
     "constraints), then CDC. Steps already complete are skipped; a terminate request "
     "drops the slot and the publication and removes the task.",
     "@task", 0,
     {{"--state-dir", "DIR", "local tasks' directory", "@dir"},
      {"--jobs", "N", "parallel copy and index workers (default: the number of cores)", NULL},
      {"--until", "STEP", "stop after STEP: precheck, init-struct, init-data, post-data",
       "precheck init-struct init-data post-data"},
      {"--quiet", NULL, "do not copy the step logs to stderr", NULL},
      {"--supervised", NULL, "started by `migtop supervise`: start a new supervisor if that "
       "one dies", NULL},
      {NULL, NULL, NULL, NULL}},
     "0 done, 1 failed or stopped, 2 bad usage, 3 another runner has the task",
     {"migtop run shop --until init-data"}},
    {"orphans", "[--source EP] [--sink EP] [--drop [--yes]]",
     "what migtop left on the servers that no task owns",
     "Lists the replication slots (with the WAL they retain), publications and origins migtop "
     "made for a task that is gone (each publication carries a mark naming its task, state "
     "directory and host, so the KubeBlocks add-on's and other hosts' are left alone), with "
     "the SQL that drops each. Without --source and --sink it looks at every server local "
     "tasks have used, passwords from ~/.pgpass or PGPASSWORD. --drop drops them after you "
     "type yes (--yes on no terminal).",
     NULL, 0,
     {{"--source", "EP", "a source server to look at", NULL},
      {"--sink", "EP", "a sink server to look at", NULL},
      {"--state-dir", "DIR", "local tasks' directory (whose tasks own what)", "@dir"},
      {"--drop", NULL, "drop what is listed", NULL},
      {"--yes", NULL, "with --drop: no question asked", NULL},
      {NULL, NULL, NULL, NULL}},
     "0 no orphans, 1 orphans remain or a server could not be read, 2 bad usage",
     {"migtop orphans", "migtop orphans --source mig@db1/shop --drop"}},
    {"supervise", "NAME", "keep a local task's runner running",
     "Starts the local task's runner and starts it again within a second whenever it dies "
     "before the task is done, so it carries on from where CDC was. Crashes back off; after "
     "5 crashes without progress in 10 minutes (MIGTOP_CRASH_LIMIT) the task is marked "
     "Failed with the reason. create starts it detached; a systemd unit runs it after a "
     "reboot (see the README). SIGTERM stops the runner and the supervisor.",
     "@task", 0,
     {{"--state-dir", "DIR", "local tasks' directory", "@dir"},
      {"--quiet", NULL, "accepted for symmetry with run (the log is supervisor.log)", NULL},
      {NULL, NULL, NULL, NULL}},
     "0 the task ended, 1 it failed, 2 bad usage, 3 another supervisor has the task",
     {"migtop supervise shop"}},
    {"demo", "", "two throwaway servers, sample data and a live local task",
     "Starts two throwaway PostgreSQL clusters, loads sample data into the source (pgbench "
     "tables, enums, domains, composite types, arrays, jsonb, PostGIS when installed), "
     "creates the local task \"demo\" with a light write load on the source and opens the "
     "dashboard on it. Quitting (q) stops everything it started.",
     NULL, 0,
     {{"--keep", NULL, "leave the clusters' directory in place", NULL},
      {"--scale", "N", "pgbench scale of the sample (default 25: about 320 MB)", NULL},
      {"--copy-rate", "RATE", "the copy's limit, so it can be watched (default 16MB a second: "
       "about 20 s; 0: full speed)", NULL},
      {"--state-dir", "DIR", "where the demo's task goes", "@dir"},
      {"--no-dashboard", NULL, "print the task's status every second until its "
       "initialization ends, then stop (for scripts)", NULL},
      {NULL, NULL, NULL, NULL}},
     "0 done, 1 a server or the task failed, 2 bad usage",
     {"migtop demo", "migtop demo --scale 10 --keep", "migtop demo --copy-rate 0"}},
    {"precheck", "--source EP --sink EP --migration-object OBJS",
     "check source and sink before a migration",
     "Checks the source and the sink for a PostgreSQL-to-PostgreSQL migration and prints "
     "each check with what was found and the fix (the statement, the postgresql.conf line "
     "or the pg_hba.conf line).",
     NULL, HELP_PROBE,
     {{"--task", "NAME", "also look for a slot or publication left by a task of that name",
       NULL},
      {"--template", "NAME", "the template whose refusals to report (default: the KubeBlocks "
       "pg2pg template; migtop-local-pg2pg, or local, for migtop's engine)", NULL},
      {"--init-only", NULL, "no CDC: slots, WAL senders and replica identity do not matter",
       NULL},
      {"--sink-tables", "fail|truncate|append", "what the task will do with sink tables that "
       "hold rows (as create's flag): fail makes them a failed check", "fail truncate append"},
      {"-o, --output", "FORMAT", "text (default) or json", "text json"},
      {NULL, NULL, NULL, NULL}},
     "0 no check failed (warnings allowed), 1 a check failed, 2 bad usage",
     {"migtop precheck --source mig@db1:5432/shop --sink postgres@db2:5432/shop "
      "--migration-object '\"public\"'"}},
    {"sequences", "--source EP --sink EP --migration-object OBJS",
     "sequences on source and sink, and the setval plan",
     "Compares every sequence of the objects' schemas (last_value and is_called) and prints "
     "the setval plan for the sink, names quoted as quote_ident does. A sink already ahead "
     "is never moved back.",
     NULL, HELP_PROBE,
     {{"--apply", NULL, "run the plan on the sink in one transaction, then re-read it", NULL},
      {"--margin", "N", "set each sequence N values further than the source has it", NULL},
      {"-o, --output", "FORMAT", "text (default) or json", "text json"},
      {NULL, NULL, NULL, NULL}},
     "0 in sync (or applied and verified), 1 differences or failures, 2 bad usage, 3 could "
     "not connect or query",
     {"migtop sequences --source mig@db1/shop --sink postgres@db2/shop "
      "--migration-object '\"public\"' --apply"}},
    {"validate", "--source EP --sink EP --migration-object OBJS",
     "row counts and range checksums, source vs sink",
     "Compares each table's rows on the source and the sink: exact row counts and checksums "
     "over primary-key ranges, both sides at the same time, each on one snapshot; a "
     "difference is named by its range and then by its rows (missing, extra, changed).",
     NULL, HELP_PROBE,
     {{"--full", NULL, "check every range (default: --sample 8)", NULL},
      {"--sample", "N", "N random ranges per table", NULL},
      {"--range-rows", "N", "rows per range (default 100000)", NULL},
      {"--jobs", "N", "connections per side (default 2)", NULL},
      {"--no-rows", NULL, "do not fetch a mismatching range's rows to name them", NULL},
      {"--seed", "N", "the random ranges' seed, to repeat a sample", NULL},
      {"-o, --output", "FORMAT", "text (default) or json", "text json"},
      {NULL, NULL, NULL, NULL}},
     "0 everything matches, 1 a mismatch or a table missing on the sink, 2 bad usage, 3 could "
     "not connect or query, 130 interrupted (Ctrl-C; 143 on SIGTERM)",
     {"migtop validate --source mig@db1/shop --sink postgres@db2/shop "
      "--migration-object '\"public\"' --full"}},
    {"cutover", "NAME --check | --pause-writes | --resume-writes",
     "the seven cutover gates of a task; pausing its source's writes",
     "--check prints the cutover checklist's gates for the task (healthy, lag, writes paused, "
     "stable, sequences, validation, switch) with what each read and, when one fails, the "
     "command that helps. --pause-writes lists the sessions that can write on the source, "
     "makes its database read-only for new sessions and ends them (not the migration's, not "
     "superusers'), then watches until no write is seen; --resume-writes puts back the "
     "database's own setting. The interactive cutover is x on the task in the dashboard; "
     "both share the pause record beside the cutover reports.",
     "@task", HELP_BACKEND | HELP_READONLY,
     {{"--check", NULL, "read every gate once (or for --watch seconds) and report", NULL},
      {"--watch", "S", "keep reading for S seconds (gate 4 needs 60)", NULL},
      {"--lag-threshold", "S", "gate 2's bound in seconds (default 5)", NULL},
      {"--full", NULL, "validate every range, not a sample", NULL},
      {"--pause-writes", NULL, "pause the business's writes on the source (gate 3)", NULL},
      {"--timeout", "DURATION", "with --pause-writes: how long the writes may take to stop "
       "(default 30s)", NULL},
      {"--resume-writes", NULL, "undo --pause-writes (or the wizard's pause)", NULL},
      {"--after-switch", NULL, "with --resume-writes: even after the switch to the sink", NULL},
      {NULL, NULL, NULL, NULL}},
     "0 gates 1-6 pass, or the writes paused / resumed; 1 a gate fails, or the writes did "
     "not stop; 2 bad usage",
     {"migtop cutover shop --check", "migtop cutover shop --check --watch 60",
      "migtop cutover shop --pause-writes --timeout 1m", "migtop cutover shop --resume-writes"}},
    {"completion", "bash|zsh|fish", "a shell completion script",
     "Prints the completion script for the shell: commands, flags, their values, task "
     "names and steps. Load it with source <(migtop completion bash), or install it where "
     "the shell looks (cmake --install does).",
     "@shell", 0, {{NULL, NULL, NULL, NULL}},
     "0 printed, 2 no such shell",
     {"source <(migtop completion bash)", "migtop completion fish > "
      "~/.config/fish/completions/migtop.fish"}},
    {"help", "[COMMAND]", "this help, or a command's",
     "Prints the help of migtop or of one command; help --man prints the manual page "
     "(roff).",
     "@command", 0, {{"--man", NULL, "the manual page, as roff", NULL}, {NULL, NULL, NULL, NULL}},
     "0 printed, 2 no such command",
     {"migtop help validate", "migtop help --man | man -l -"}},
};
const int help_n_cmds = (int)(sizeof help_cmds / sizeof *help_cmds);

const help_item help_environment[] = {
    {"KUBECONFIG", "the kubeconfig files, merged as kubectl merges them"},
    {"KUBERNETES_SERVICE_HOST, KUBERNETES_SERVICE_PORT", "inside a pod: the API server, "
     "with the pod's service account"},
    {"NO_COLOR", "set and not empty: no colours (the mono theme)"},
    {"TERM", "the terminal type"},
    {"XDG_CONFIG_HOME", "where config.yaml and themes/ are (default ~/.config/migtop)"},
    {"XDG_STATE_HOME", "where local tasks and cutover reports are (default "
     "~/.local/state/migtop)"},
    {"PGPASSFILE, PGPASSWORD, PGSERVICE, PGSERVICEFILE, PGHOST, PGPORT, PGUSER, PGDATABASE",
     "libpq's: passwords, services and defaults for endpoints"},
    {"MIGTOP_PG_BINDIR", "the PostgreSQL programs (pg_dump, pg_restore, initdb...) to use"},
    {"MIGTOP_CUTOVER_STABLE_S", "the seconds gate 4 needs (default 60)"},
    {NULL, NULL},
};

const help_item help_files[] = {
    {"$XDG_CONFIG_HOME/migtop/config.yaml", "settings: theme, lag_threshold, pod_tz, "
     "refresh_ms (flags override them)"},
    {"$XDG_CONFIG_HOME/migtop/themes/NAME.yaml", "themes of your own"},
    {"PREFIX/share/migtop/themes/", "the bundled themes"},
    {"$XDG_STATE_HOME/migtop/tasks/NAME/", "a local task: spec, status, step logs, 0600 "
     "pgpass"},
    {"$XDG_STATE_HOME/migtop/cutover/", "cutover reports (Markdown and JSON)"},
    {"~/.kube/config", "the default kubeconfig"},
    {"~/.pgpass", "passwords for endpoints that give none"},
    {NULL, NULL},
};
