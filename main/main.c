/* migtop: the dashboard (no subcommand) or one of the subcommands in
 * commands.def. Only this layer turns failures into exit codes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backends/backend_select.h"
#include "cli/commands.h"
#include "main/demo.h"
#include "tui/dashboard.h"
#include "tui/feed_file.h"

#define MIGTOP_CMD(name, fn, summary) {#name, fn, summary},
const migtop_command migtop_commands[] = {
#include "cli/commands.def"
    MIGTOP_CMD(demo, cmd_demo, "two throwaway PostgreSQL servers, sample data and a live local task")
    {NULL, NULL, NULL}};
#undef MIGTOP_CMD
const int migtop_n_commands = (int)(sizeof migtop_commands / sizeof *migtop_commands) - 1;

static void usage(FILE *out)
{
    fputs("usage: migtop [options]                 the dashboard\n"
          "       migtop COMMAND [options]         one command, for scripts\n\n"
          "Dashboard options:\n"
          "  --file PATH          watch a saved snapshot (kubectl get migrationtasks,\n"
          "                       migrationtemplates,jobs,pods,statefulsets -A -o json)\n"
          "  --theme NAME|PATH    default, light, high-contrast, mono, or a YAML file\n"
          "  --readonly           watch only: every action that writes is disabled\n"
          "  --pod-tz ZONE        zone of CDC timestamps without one (default UTC)\n"
          "  --lag-threshold S    lag shown as a warning above S seconds (default 5)\n"
          "  --refresh-ms MS      how often ages are redrawn (default 1000)\n"
          "  --backend local|kube, --kubeconfig, --context, -n NS, -A, --state-dir DIR\n\n"
          "Commands:\n", out);
    for (int i = 0; i < migtop_n_commands; i++)
        fprintf(out, "  %-12s %s\n", migtop_commands[i].name, migtop_commands[i].summary);
    fputs("\nKeys in the dashboard: press ? for help.\n"
          "Settings: $XDG_CONFIG_HOME/migtop/config.yaml (theme, lag_threshold, pod_tz,\n"
          "refresh_ms; flags override it). Themes of your own:\n"
          "$XDG_CONFIG_HOME/migtop/themes/NAME.yaml (see the README, Themes).\n",
          out);
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
    if (argc > 1 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") ||
                     !strcmp(argv[1], "help"))) {
        usage(stdout);
        return 0;
    }
    if (argc > 1 && !strcmp(argv[1], "--version")) {
        puts("migtop 0.1.0");
        return 0;
    }
    if (argc > 1 && argv[1][0] != '-') {
        for (int i = 0; i < migtop_n_commands; i++)
            if (!strcmp(argv[1], migtop_commands[i].name))
                return migtop_commands[i].fn(argc - 1, argv + 1);
        fprintf(stderr, "migtop: unknown command \"%s\" (see migtop --help)\n", argv[1]);
        return 2;
    }
    return run_dashboard(argc, argv);
}
