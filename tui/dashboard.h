/* The interactive dashboard. */
#ifndef MIGTOP_DASHBOARD_H
#define MIGTOP_DASHBOARD_H

#include "model/backend.h"
#include "settings/config.h"
#include "tui/app.h"

/* The defaults, then the user's config file over them (the flags are
 * parsed after and win). */
void dashboard_default_opts(dashboard_opts *o);
/* Puts the settings that are set in c into o. */
void dashboard_apply_config(const migtop_config *c, dashboard_opts *o);
/* Runs the dashboard on a feed until the user quits; takes ownership of
 * the feed. backend may be NULL (a saved snapshot file). Returns the exit
 * code (0, or 1 when the terminal cannot be set up). */
int dashboard_run(mt_backend *backend, mt_feed *feed, const dashboard_opts *o);
/* Shortcut for commands such as `migtop demo`: the backend's own feed,
 * default options, the given task's detail opened. */
int tui_run_dashboard(mt_backend *b, const char *focus_task);

#endif
