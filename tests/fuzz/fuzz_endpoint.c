/* What a user types for --source/--sink: kbcli's form, user@host, URIs,
 * key=value strings, services; both parsers, and the password check. */
#include "fuzz_common.h"
#include "model/flags.h"
#include "pgprobe/conn.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = fuzz_cstr(data, size);
    char err[512];
    arena a;
    arena_init(&a);
    mt_endpoint_arg e;
    if (mt_parse_endpoint(&a, "source", s, &e, err, sizeof err) && e.password)
        mt_valid_password(e.password, err, sizeof err);
    arena_free(&a);
    pgp_endpoint ep = {0};
    pgp_error pe = {0};
    if (pgp_endpoint_parse(&ep, "source", s, &pe))
        pgp_endpoint_label(&ep);
    pgp_endpoint_free(&ep);
    free(s);
    return 0;
}
