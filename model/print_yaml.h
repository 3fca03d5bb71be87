/* JSON values printed as YAML the way `kubectl get -o yaml` lays them out:
 * two-space indents, list items flush with their key, strings quoted only
 * when YAML would read them as something else. */
#ifndef MIGTOP_PRINT_YAML_H
#define MIGTOP_PRINT_YAML_H

#include <cjson/cJSON.h>
#include <stdio.h>

void print_yaml(FILE *out, const cJSON *v);

#endif
