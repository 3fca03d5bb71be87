/* A form as the wizards show it: labelled fields (text, masked password,
 * toggle, choice, checklist), each with the error its validation gave as
 * it was typed. This header holds the state the UI edits (wizards/form.c)
 * and the function that draws it; drawing reads the state only.
 *
 * A password field's value is never drawn: the pane shows one '*' per
 * character, so the engineer sees the typing land and nothing else. */
#ifndef MIGTOP_PANES_FORM_H
#define MIGTOP_PANES_FORM_H

#include <stdbool.h>
#include <stddef.h>

#include "panes/draw.h"

typedef enum form_kind {
    F_TEXT,      /* one line of text with a cursor */
    F_PASSWORD,  /* the same, drawn masked */
    F_TOGGLE,    /* on/off (space) */
    F_CHOICE,    /* one of a few fixed values (Left/Right, space) */
    F_CHECKLIST, /* rows to select with space, filtered with / */
} form_kind;

#define FORM_VALUE_MAX 512
#define FORM_ERROR_MAX 256
#define FORM_FILTER_MAX 128

/* One row of a checklist. Rows of depth 1 belong to the nearest row of
 * depth 0 above them (a table under its schema). */
typedef struct form_item {
    char *label;  /* "orders" or "public" */
    char *detail; /* "12 MB  ~10,000 rows" */
    int depth;
    bool checked;
} form_item;

struct form_field;
/* Returns false with a one-line reason when the value is not acceptable. */
typedef bool (*form_validate_fn)(const struct form_field *f, void *ctx, char *err,
                                 size_t errlen);

typedef struct form_field {
    form_kind kind;
    const char *key;   /* the caller's name for it ("host") */
    const char *label; /* "Host" */
    const char *hint;  /* shown dim after an empty value, e.g. "5432" */
    bool hidden;       /* not shown and not validated (depends on another field) */
    bool secrets;      /* F_TEXT that may hold a password (a URI): shown masked */
    /* F_TEXT, F_PASSWORD */
    char value[FORM_VALUE_MAX];
    size_t len, cursor; /* bytes; cursor on a character boundary */
    /* F_TOGGLE */
    bool on, locked; /* locked: shown, never changes (init-data is always on) */
    /* F_CHOICE */
    const char *const *choices;
    int n_choices, choice;
    /* F_CHECKLIST */
    form_item *items;
    int n_items;
    int item_cursor;          /* index into items (a visible row), -1 none */
    char filter[FORM_FILTER_MAX];
    bool filtering;           /* typing goes into the filter */
    /* validation */
    form_validate_fn validate;
    char error[FORM_ERROR_MAX]; /* "" when valid */
} form_field;

typedef struct form {
    form_field *fields;
    int n;
    int focus; /* index of the focused field */
    void *ctx; /* handed to every validator */
} form;

/* Whether a checklist row passes its field's filter (a schema row stays
 * visible while any of its tables does). */
bool form_item_visible(const form_field *f, int i);

/* Rows the form needs above its checklist (fields and their errors), plus
 * one for the checklist's title when it has one. */
int form_height(const form *fm, int w);

/* Draws the form in the rectangle (y, x, h, w). The focused field shows
 * its cursor; a checklist takes the rows left below the other fields. */
void form_draw(WINDOW *win, const form *fm, int y, int x, int h, int w);

#endif
