/* A kubeconfig file (YAML: aliases, depth, size) read as `migtop
 * --kubeconfig FILE` would, from a file on tmpfs. */
#include <stdio.h>
#include <unistd.h>

#include "fuzz_common.h"
#include "kube/kubeconfig.h"
#include "kube/yaml_json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[512];
    cJSON *j = kube_yaml_parse((const char *)data, size, err, sizeof err);
    cJSON_Delete(j);
    static char path[64];
    if (!path[0])
        snprintf(path, sizeof path, "/dev/shm/migtop-fuzz-kc-%ld", (long)getpid());
    FILE *f = fopen(path, "wb");
    if (!f)
        return 0;
    fwrite(data, 1, size, f);
    fclose(f);
    kube_config_opts o = {.kubeconfig = path, .sa_dir = "/nonexistent"};
    kube_config c;
    kube_config_load(&o, &c, err, sizeof err);
    kube_config_free(&c);
    return 0;
}
