/* migtop: the dashboard (no command) or one of the commands in
 * cli/commands.def, demo and help. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "backends/backend_select.h"
#include "cli/commands.h"
#include "cli/help.h"
#include "engine/spawn.h"
#include "main/demo.h"
#include "main/manpage.h"
#include "tui/dashboard.h"
#include "tui/feed_file.h"

typedef struct migtop_command {
    const char *name;
    int (*fn)(int argc, char **argv);
} migtop_command;

static int cmd_help(int argc, char **argv);

#define MIGTOP_CMD(name, fn) {#name, fn},
static const migtop_command commands[] = {
#include "cli/commands.def"
    MIGTOP_CMD(demo, cmd_demo)
    MIGTOP_CMD(help, cmd_help)
};
#undef MIGTOP_CMD

/* `migtop help [COMMAND]`, `migtop help --man`. */
static int cmd_help(int argc, char **argv)
{
    if (argc == 1) {
        help_print_overview(stdout);
        return 0;
    }
    if (argc == 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
        help_print(stdout, "help");
        return 0;
    }
    if (argc == 2 && !strcmp(argv[1], "--man")) {
        manpage_print(stdout);
        return 0;
    }
    if (argc == 2 && argv[1][0] != '-' && help_find(argv[1])) {
        help_print(stdout, argv[1]);
        return 0;
    }
    fprintf(stderr, "migtop help: no command \"%s\" (migtop help lists them)\n",
            argc > 1 ? argv[1] : "");
    return 2;
}

static bool int_arg(const char *flag, const char *v, int lo, int hi, int *out)
{
    char *end;
    long n = v ? strtol(v, &end, 10) : 0;
    if (!v || !*v || *end || n < lo || n > hi) {
        fprintf(stderr, "migtop: %s needs a number from %d to %d\n", flag, lo, hi);
        return false;
    }
    *out = (int)n;
    return true;
}

static int run_dashboard(int argc, char **argv)
{
#ifdef __GLIBC__
    /* A dashboard's few threads mostly sleep: one malloc arena, so what
     * the feed's thread frees serves the UI's too (1000 local tasks:
     * 1.3 MB less resident). Before any thread exists. */
    mallopt(M_ARENA_MAX, 1);
#endif
    dashboard_opts o;
    dashboard_default_opts(&o);
    const char *file = NULL;
    int rest = 0;
    char **rest_argv = calloc((size_t)argc + 1, sizeof *rest_argv);
    for (int i = 1; i < argc; i++) {
        const char *f = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(f, "--file") && v)
            file = argv[++i];
        else if (!strcmp(f, "--theme") && v)
            o.theme = argv[++i];
        else if (!strcmp(f, "--readonly"))
            o.readonly = true;
        else if (!strcmp(f, "--no-mouse"))
            o.no_mouse = true;
        else if (!strcmp(f, "--pod-tz") && v)
            o.pod_tz = argv[++i];
        else if (!strcmp(f, "--lag-threshold")) {
            if (!int_arg(f, v, 1, 86400, &o.lag_warn_s))
                return free(rest_argv), 2;
            i++;
        } else if (!strcmp(f, "--refresh-ms")) {
            if (!int_arg(f, v, 100, 60000, &o.refresh_ms))
                return free(rest_argv), 2;
            i++;
        } else {
            rest_argv[rest++] = argv[i]; /* backend flags */
        }
    }
    mt_feed *feed = NULL;
    mt_backend *backend = NULL;
    if (file) {
        if (rest) {
            fprintf(stderr, "migtop: unknown option \"%s\" (see migtop --help)\n", rest_argv[0]);
            free(rest_argv);
            return 2;
        }
        feed = feed_file_new(file);
    } else {
        char err[512];
        backend = backend_open_argv(rest, rest_argv, err, sizeof err);
        if (!backend || !(feed = backend->ops->feed(backend, err, sizeof err))) {
            fprintf(stderr, "migtop: %s\n", err);
            free(rest_argv);
            return 1;
        }
    }
    free(rest_argv);
    int rc = dashboard_run(backend, feed, &o);
    if (backend)
        backend->ops->free(backend);
    return rc;
}

int main(int argc, char **argv)
{
    engine_exe_env_absolute();
    if (argc > 1 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
        help_print_overview(stdout);
        return 0;
    }
    if (argc > 1 && !strcmp(argv[1], "--version")) {
        puts("migtop " MIGTOP_VERSION);
        return 0;
    }
    static char list_name[] = "list";
    if (argc > 1 && !strcmp(argv[1], "ls")) /* kbcli's alias */
        argv[1] = list_name;
    if (argc > 1 && argv[1][0] != '-') {
        for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
            if (!strcmp(argv[1], commands[i].name))
                return commands[i].fn(argc - 1, argv + 1);
        fprintf(stderr, "migtop: unknown command \"%s\" (see migtop --help)\n", argv[1]);
        return 2;
    }
    return run_dashboard(argc, argv);
}
