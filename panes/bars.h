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
    const char *hints;       /* key hints for the current view */
} bar_info;

void bars_draw_top(WINDOW *w, int y, int width, const bar_info *b);
/* The freshness banner under the title when the feed is failing; returns
 * the rows used (0 or 1). */
int bars_draw_banner(WINDOW *w, int y, int width, const bar_info *b);
void bars_draw_status(WINDOW *w, int y, int width, const bar_info *b);
/* "updated 2s ago" / "no data yet"; the age in ms (or -1). */
int64_t bars_data_age(const bar_info *b, char *buf, size_t n);

#endif
