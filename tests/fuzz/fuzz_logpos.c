/* Log lines as the add-on's CDC pod and the local engine write them: the
 * current_position lines the lag and the position come from. */
#include "fuzz_common.h"
#include "model/logpos.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    mt_logpos p;
    mt_log_is_position((const char *)data, size);
    mt_log_position((const char *)data, size, 0, &p);
    mt_log_position((const char *)data, size, 8 * 3600, &p);
    return 0;
}
