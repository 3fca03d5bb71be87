/* Draws one frame of the dashboard from the app state. */
#ifndef MIGTOP_RENDER_H
#define MIGTOP_RENDER_H

#include "tui/app.h"

/* The smallest terminal the dashboard lays out; below it, a notice. */
#define RENDER_MIN_COLS 60
#define RENDER_MIN_ROWS 16
/* From this width on, the detail view uses two columns. */
#define RENDER_WIDE_COLS 160

void render_frame(app *a);

#endif
