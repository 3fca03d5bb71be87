/* The dashboard's state: the latest snapshot and feed health, the view
 * stack, the input line, and the user's options. Only the UI thread
 * touches it; backends reach it through the feed. */
#ifndef MIGTOP_APP_H
#define MIGTOP_APP_H

#include <stdbool.h>

#include "model/backend.h"
#include "model/feed.h"
#include "model/history.h"
#include "panes/doc.h"
#include "panes/draw.h"
#include "wizards/wizard.h"

typedef enum view_kind { V_TASKS, V_DETAIL, V_TEMPLATES, V_HELP, V_LOGS, V_WIZARD, V_MESSAGES, V_YAML } view_kind;

typedef struct view_state {
    view_kind kind;
    int top, cursor;           /* first line shown; selected line (-1 none) */
    char filter[256];
    char sel_ns[256], sel_name[256]; /* selection kept by identity across updates */
    bool moved;                /* the user moved the cursor since the last frame */
    bool stick_bottom;         /* scrolled to the end: stay there as the layout changes */
    int sort;                  /* the task list's tasklist_sort */
    bool sort_desc;
} view_state;

typedef enum input_mode { IN_NONE, IN_COMMAND, IN_FILTER, IN_SEARCH } input_mode;

struct log_fetch;

/* The logs view's state: which step, the toggles, the search. */
typedef struct logs_state {
    struct log_fetch *fetch;
    char step[32];
    bool follow, wrap, timestamps;
    char search[256];
    int match;       /* index into the matches of the last frame; -1 none */
    int *matches;    /* doc line of each match at the last frame */
    int n_matches;
    bool tell_matches; /* a search was just entered: say how many it found */
} logs_state;

typedef struct dashboard_opts {
    bool readonly;
    const char *theme;     /* name or path; NULL: config or default */
    const char *pod_tz;    /* zone assumed for timestamps without one */
    int lag_warn_s;
    int refresh_ms;        /* how often ages are redrawn */
    const char *focus_task; /* open this task's detail at start */
    bool no_mouse;         /* --no-mouse / mouse: false: leave the mouse to the terminal */
} dashboard_opts;

#define APP_MAX_VIEWS 8
#define APP_PAST_MESSAGES 50

typedef struct app {
    dashboard_opts opts;
    mt_backend *backend; /* NULL when watching a file */
    mt_feed *feed;
    mt_snapshot *snap;
    mt_feed_health health;
    long pod_tz_offset;
    char pod_tz_name[32];
    view_state views[APP_MAX_VIEWS];
    int depth; /* views[depth-1] is on screen */
    input_mode input;
    char line[256];
    size_t line_len;
    char line_hint[256]; /* shown after the line: Tab's choices */
    char filter_before[256]; /* restored when a filter edit is cancelled */
    char message[512];
    bool message_is_error;
    int64_t message_until_ms; /* 0: none; a view change clears it */
    /* The last messages, for :messages (a ring; n of them, next written
     * at next). */
    struct app_past_message {
        int64_t at_ms;
        bool is_error;
        char text[512];
    } past[APP_PAST_MESSAGES];
    int n_past, past_next;
    char theme_name[128];
    bool quit, dirty;
    bool relayout; /* the view changed: draw before the next key uses its layout */
    int body_h; /* rows of the body at the last render, for paging */
    /* Where the last render put the body's scrolled part, for the mouse:
     * screen row body_y shows doc line body_line0 (-1: nothing clickable). */
    int body_y, body_line0;
    int doc_lines; /* lines of the current view's document at the last render */
    int first_sel, last_sel; /* selectable line range at the last render (-1 none) */
    int *sel_refs;           /* object index of each selectable line, first_sel.. */
    logs_state logs;
    wiz *wiz;          /* the open wizard (tui/wizard_view.h), NULL when none */
    wiz_host wiz_host; /* what the open wizard sees of the dashboard */
    const mt_snapshot *sel_snap; /* the snapshot sel_refs index into */
    mt_hist_set hist; /* every task's lag and rate over time (model/history.h) */
    uint64_t snap_gen; /* bumped with each snapshot taken (app_set_snapshot) */
    /* The task list's last document, built with snapshot snap_gen and
     * tasklist_digest: while both stay, a redraw reuses it (1000 idle
     * tasks: the redraw each second builds nothing). */
    struct app_list_doc {
        arena mem;
        doc d;
        int shown;
        uint64_t digest, snap_gen;
        bool valid;
    } list;
} app;

view_state *app_view(app *a);
/* The snapshot on screen from now on (NULL: none yet); the one before is
 * freed, and whatever was built from it is not used again. */
void app_set_snapshot(app *a, mt_snapshot *s);
/* Lets go of what the app keeps between frames (the task list's document). */
void app_free_kept(app *a);
void app_push(app *a, view_kind k);
void app_pop(app *a);
/* A message on the status line for the view on screen: it goes when the
 * view changes (or after a few seconds), and is kept for :messages. */
void app_message(app *a, bool is_error, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* The i-th message back (0 the newest), NULL past the last one. */
const struct app_past_message *app_past_message(const app *a, int i);
/* Opens a task's detail (ns NULL: any namespace) and focuses the feed on it. */
void app_open_task(app *a, const char *ns, const char *name);

#endif
