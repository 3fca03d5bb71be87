/* A stream of pgoutput messages as the walsender sends them (each one
 * prefixed here by its 2-byte length): relations, changes, streamed
 * transactions, truncates, in any order. */
#include "engine/pgoutput_decode.h"
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    pgo_decoder d;
    pgo_init(&d);
    char err[512];
    size_t off = 0;
    while (off + 2 <= size) {
        size_t len = (size_t)data[off] << 8 | data[off + 1];
        off += 2;
        if (len > size - off)
            len = size - off;
        /* Copied: a message never has bytes after its end to read. */
        char *m = malloc(len ? len : 1);
        if (!m)
            abort();
        memcpy(m, data + off, len);
        if (len && (m[0] & 1))
            pgo_decode_streamed(&d, m, len, err, sizeof err);
        else
            pgo_decode(&d, m, len, err, sizeof err);
        free(m);
        off += len;
    }
    pgo_free(&d);
    return 0;
}
