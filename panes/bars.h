/* The title bar at the top and the status bar at the bottom. */
#ifndef MIGTOP_BARS_H
#define MIGTOP_BARS_H

#include "model/feed.h"
#include "panes/draw.h"

typedef struct bar_info {
    const char *view;        /* "tasks", "orders-running", "help" */
    const char *source;      /* the feed's label */
    const char *clock;       /* "06:01:02 UTC" */
    bool readonly;
    const mt_feed_health *health;
    int64_t now_ms;
    const char *message;     /* transient message (an error in red if is_error) */
    bool message_is_error;
    const char *prompt;      /* ":" or "/" when editing, else NULL */
    const char *input;       /* the text being edited */
    const char *input_hint;  /* dim, after it: the completions (or NULL) */
    const char *hints;       /* key hints for the current view */
    int max_status_rows;     /* rows a long message may take (0: up to 4) */
} bar_info;

void bars_draw_top(WINDOW *w, int y, int width, const bar_info *b);
/* The freshness banner under the title when the feed is failing; returns
 * the rows used (0 or 1). */
int bars_draw_banner(WINDOW *w, int y, int width, const bar_info *b);
/* The status bar; a message longer than the width is wrapped over rows
 * above it (bars_status_rows), never cut. y is the bottom row. */
void bars_draw_status(WINDOW *w, int y, int width, const bar_info *b);
/* Rows the status bar takes at this width: 1, or up to 4 for a long
 * message. */
int bars_status_rows(int width, const bar_info *b);
/* "updated 2s ago" / "no data yet"; the age in ms (or -1). */
int64_t bars_data_age(const bar_info *b, char *buf, size_t n);

#endif
