/* The flags every command shares for choosing and reaching a backend, and
 * the one place that opens one. `--backend local|kube`; kube: --kubeconfig,
 * --context, -n/--namespace, -A/--all-namespaces; local: --state-dir. */
#ifndef MIGTOP_BACKEND_SELECT_H
#define MIGTOP_BACKEND_SELECT_H

#include <stdbool.h>
#include <stddef.h>

#include "model/backend.h"

typedef struct backend_args {
    const char *backend; /* "kube", "local" or NULL: see backend_open */
    const char *kubeconfig, *context, *namespace_, *state_dir;
    bool all_namespaces;
    /* Out: why Kubernetes was not used when backend_open chose the local
     * backend by itself ("" when it was asked for, or no kubeconfig was
     * there to try), for the empty answers to say where they looked. */
    char fallback[600];
} backend_args;

/* If argv[*i] is one of the common flags (also --flag=value, -nNS), takes
 * it and its value, advances *i past them and returns 1; returns 0 if it
 * is not one; -1 with err set if its value is missing. */
int backend_args_match(backend_args *a, int argc, char **argv, int *i, char *err,
                       size_t errlen);

/* Opens the backend the flags name. Without --backend: kube when a kube
 * flag (--kubeconfig, --context, -n, -A) is given, when KUBECONFIG is set
 * (then a kubeconfig that cannot be used is an error, never a silent
 * switch to local tasks) or when ~/.kube/config is usable; local otherwise
 * (and always with --state-dir). Kube flags with the local backend are an
 * error naming the flag. */
mt_backend *backend_open(backend_args *args, char *err, size_t errlen);

/* The directory for the files migtop keeps about this backend's tasks,
 * of one kind (what: "logs"): STATE/what for local tasks, else
 * $XDG_STATE_HOME/migtop/what/CONTEXT (~/.local/state without it).
 * Created (0700) if missing. */
bool backend_files_dir(mt_backend *b, const char *what, char *out, size_t n, char *err,
                       size_t errlen);

/* Where a backend looks, for messages: "local tasks in DIR" or "context
 * NAME". */
void backend_where(mt_backend *b, char *out, size_t n);

/* For the dashboard: every argument must be one of the common flags. The
 * backend returned can be re-targeted with backend_switch. */
mt_backend *backend_open_argv(int argc, char **argv, char *err, size_t errlen);

/* The dashboard's `:ctx NAME` / `:ns NAME|all` on a backend from
 * backend_open_argv (kube only). context NULL keeps the current one (a new
 * context starts in its own namespace); ns NULL keeps the namespace, "all"
 * means every namespace. Opens the new backend and its feed first: on
 * failure nothing changes and err says why. On success *feed (the running
 * feed of the old target) is freed and replaced by the new one, started. */
bool backend_switch(mt_backend *b, const char *context, const char *ns, mt_feed **feed,
                    char *err, size_t errlen);

/* The contexts `:ctx` may switch to (the kubeconfig's, read when the
 * backend was opened: no I/O), NULL ended; none for the local backend. */
const char *const *backend_contexts(mt_backend *b);

/* The namespace a command works in: NULL with -A (all), else -n, else the
 * backend's default. */
const char *backend_namespace(const backend_args *args, mt_backend *b);

#endif
