#include "panes/wizard.h"

#include <stdio.h>
#include <string.h>

/* "1 Backend › 2 Name › [3 Template] › ..." when it fits, else the
 * current step alone. */
static void draw_steps(WINDOW *win, int y, int x, int w, const wizard_view *v)
{
    const char *sep = draw_utf8() ? " \xe2\x80\xba " : " > ";
    int total = 0;
    for (int i = 0; i < v->n_steps; i++)
        total += draw_text_width(v->steps[i]) + 4 + (i ? draw_text_width(sep) : 0);
    if (total > w) {
        char buf[160];
        snprintf(buf, sizeof buf, "step %d of %d: %s", v->step + 1, v->n_steps,
                 v->steps[v->step]);
        draw_text(win, y, x, w, P_HIGHLIGHT, buf);
        return;
    }
    int used = 0;
    for (int i = 0; i < v->n_steps; i++) {
        char buf[96];
        if (i)
            used += draw_text(win, y, x + used, w - used, P_DIM, sep);
        snprintf(buf, sizeof buf, i == v->step ? "[%d %s]" : "%d %s", i + 1, v->steps[i]);
        used += draw_text(win, y, x + used, w - used,
                          i == v->step ? P_HIGHLIGHT : i < v->step ? P_OK : P_DIM, buf);
    }
}

int wizard_draw(WINDOW *win, int y, int x, int h, int w, const wizard_view *v)
{
    int end = y + h;
    char title[256];
    snprintf(title, sizeof title, "%s", v->title ? v->title : "");
    draw_text(win, y++, x, w, P_HEADER, title);
    if (v->n_steps > 1 && y < end)
        draw_steps(win, y++, x, w, v);
    if (y < end)
        draw_hline(win, y++, x, w, P_BORDER);
    /* The status sits at the bottom, wrapped, so a long error is read
     * whole rather than cut. */
    int status_rows = 0;
    arena tmp;
    arena_init(&tmp);
    doc st;
    doc_init(&st, &tmp);
    if (v->status && v->status[0]) {
        doc_wrap(&st, v->status_role, "", v->status, w);
        status_rows = st.n < 4 ? st.n : 4;
        if (end - y - status_rows < 2)
            status_rows = end - y > 2 ? 1 : 0;
    }
    int body_end = end - status_rows;
    int text_rows = 0;
    if (v->form && y < body_end) {
        int fh = form_height(v->form, w);
        bool has_list = false;
        for (int i = 0; i < v->form->n; i++)
            has_list |= v->form->fields[i].kind == F_CHECKLIST && !v->form->fields[i].hidden;
        if (has_list || !v->text)
            fh = body_end - y;
        if (fh > body_end - y)
            fh = body_end - y;
        form_draw(win, v->form, y, x, fh, w);
        y += fh;
        if (v->text && y < body_end)
            y++; /* a blank row between the fields and the text */
    }
    if (v->text && y < body_end) {
        text_rows = body_end - y;
        doc_draw(win, v->text, y, x, text_rows, w, v->text_top, -1);
    }
    for (int i = 0; i < status_rows; i++)
        doc_draw(win, &st, end - status_rows + i, x, 1, w, i, -1);
    arena_free(&tmp);
    return text_rows;
}
