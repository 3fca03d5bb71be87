/* --migration-object values (one per line of the input): SQL quoting,
 * dots, blacklists; parsed, printed back, printed as arguments. */
#include "fuzz_common.h"
#include "model/flags.h"
#include "model/task.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = fuzz_cstr(data, size);
    char *parts[16];
    size_t n = fuzz_split(s, '\n', parts, 16);
    char err[512];
    arena a;
    arena_init(&a);
    mt_objects o;
    if (mt_parse_objects(&a, (const char *const *)parts, n, &o, err, sizeof err)) {
        mt_objects_string(&a, &o);
        strbuf b = {0};
        for (size_t i = 0; i < o.n_white; i++)
            mt_object_arg(&b, o.white[i].schema,
                          o.white[i].n_tables ? o.white[i].tables[0].name : NULL);
        strbuf_free(&b);
    }
    mt_steps_arg st;
    mt_parse_steps((const char *const *)parts, n, &st, err, sizeof err);
    arena_free(&a);
    free(s);
    return 0;
}
