#include "panes/help.h"

#include <string.h>

#include "panes/table.h"

void help_build(doc *d, const help_entry *e, int n, int width)
{
    static const table_col cols[] = {{"", 6, 0, false, false}, {"", 10, 0, true, false}};
    const char *group = NULL;
    for (int i = 0; i < n;) {
        group = e[i].group;
        doc_section(d, group, width);
        int j = i;
        while (j < n && !strcmp(e[j].group, group))
            j++;
        table t;
        table_init(&t, d, cols, 2, j - i);
        for (int k = i; k < j; k++) {
            int r = table_row(&t, -1);
            table_cell(&t, r, 0, P_KEY, e[k].keys);
            table_cell(&t, r, 1, P_NORMAL, e[k].what);
        }
        table_emit(&t, width, false);
        doc_blank(d);
        i = j;
    }
}
