/* A theme file (YAML) as --theme or ~/.config/migtop/themes/ give it. */
#include "fuzz_common.h"
#include "settings/theme.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    theme t;
    char err[512];
    theme_parse((const char *)data, size, "fuzz", &t, err, sizeof err);
    return 0;
}
