/* `migtop completion bash|zsh|fish`: completion scripts made from the help
 * table (cli/help.h), so every command and flag the help names completes,
 * and nothing else. Task names come from `migtop list -o name` run with
 * the backend flags already on the line; steps and formats from the
 * table's value lists. */
#include <stdio.h>
#include <string.h>

#include "cli/commands.h"
#include "cli/help.h"

/* Calls fn for every flag a command takes: its own, then its groups'. */
static void each_flag(const help_cmd *c, void (*fn)(const help_cmd *, const help_flag *, void *),
                      void *ctx)
{
    for (const help_flag *f = c->flags; f->flag; f++)
        fn(c, f, ctx);
    const help_flag *groups[3] = {c->common & HELP_BACKEND ? help_backend_flags : NULL,
                                  c->common & HELP_PROBE ? help_probe_flags : NULL,
                                  c->common & HELP_READONLY ? help_readonly_flag : NULL};
    for (int g = 0; g < 3; g++)
        for (const help_flag *f = groups[g]; f && f->flag; f++)
            fn(c, f, ctx);
}

/* "-o, --output" -> "-o --output". */
static void flag_names(const help_flag *f, char *out, size_t n)
{
    snprintf(out, n, "%s", f->flag);
    for (char *p = out; *p; p++)
        if (*p == ',')
            memmove(p, p + 1, strlen(p));
}

/* --- bash --------------------------------------------------------------- */

static void bash_flag_word(const help_cmd *c, const help_flag *f, void *ctx)
{
    (void)c;
    char names[64];
    flag_names(f, names, sizeof names);
    fprintf(ctx, " %s", names);
}

static void bash_value_case(const help_cmd *c, const help_flag *f, void *ctx)
{
    (void)c;
    if (!f->arg)
        return;
    char names[64];
    flag_names(f, names, sizeof names);
    for (char *p = names; *p; p++)
        if (*p == ' ')
            *p = '|';
    FILE *out = ctx;
    if (!f->values)
        fprintf(out, "        %s) return ;;\n", names);
    else if (!strcmp(f->values, "@task"))
        fprintf(out, "        %s) COMPREPLY=($(compgen -W \"$(_migtop_tasks)\" -- \"$cur\")); return ;;\n",
                names);
    else if (!strcmp(f->values, "@file") || !strcmp(f->values, "@dir"))
        fprintf(out, "        %s) COMPREPLY=($(compgen -%c -- \"$cur\")); return ;;\n", names,
                f->values[1] == 'f' ? 'f' : 'd');
    else
        fprintf(out, "        %s) COMPREPLY=($(compgen -W \"%s\" -- \"$cur\")); return ;;\n",
                names, f->values);
}

static void bash_positional(FILE *out, const help_cmd *c)
{
    const char *p = c->positional;
    if (!p)
        return;
    if (!strcmp(p, "@task"))
        fputs("        COMPREPLY+=($(compgen -W \"$(_migtop_tasks)\" -- \"$cur\"))\n", out);
    else if (!strcmp(p, "@shell"))
        fputs("        COMPREPLY+=($(compgen -W \"bash zsh fish\" -- \"$cur\"))\n", out);
    else if (!strcmp(p, "@command"))
        fputs("        COMPREPLY+=($(compgen -W \"$_migtop_commands\" -- \"$cur\"))\n", out);
}

static void print_bash(FILE *out)
{
    fputs("# bash completion for migtop (made by `migtop completion bash`)\n"
          "_migtop_tasks() {\n"
          "    local a=() i w\n"
          "    for ((i = 1; i < ${#COMP_WORDS[@]} - 1; i++)); do\n"
          "        w=${COMP_WORDS[i]}\n"
          "        case $w in\n"
          "        --backend|--kubeconfig|--context|-n|--namespace|--state-dir)\n"
          "            a+=(\"$w\" \"${COMP_WORDS[i+1]}\") ;;\n"
          "        -A|--all-namespaces|--backend=*|--kubeconfig=*|--context=*|--namespace=*|"
          "--state-dir=*) a+=(\"$w\") ;;\n"
          "        esac\n"
          "    done\n"
          "    migtop list -o name \"${a[@]}\" 2>/dev/null | sed 's|.*/||'\n"
          "}\n",
          out);
    fputs("_migtop_commands=\"", out);
    for (int i = 0; i < help_n_cmds; i++)
        if (help_cmds[i].name[0])
            fprintf(out, "%s%s", i > 1 ? " " : "", help_cmds[i].name);
    fputs("\"\n_migtop() {\n"
          "    local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]} cmd= i\n"
          "    for ((i = 1; i < COMP_CWORD; i++)); do\n"
          "        case ${COMP_WORDS[i]} in\n"
          "        -*) ;;\n"
          "        *) case ${COMP_WORDS[i-1]} in\n"
          "           --backend|--kubeconfig|--context|-n|--namespace|--state-dir|--file|"
          "--theme) ;;\n"
          "           *) cmd=${COMP_WORDS[i]}; break ;;\n"
          "           esac ;;\n"
          "        esac\n"
          "    done\n"
          "    case $cmd in\n",
          out);
    for (int i = 0; i < help_n_cmds; i++) {
        const help_cmd *c = &help_cmds[i];
        fprintf(out, "    %s)\n        case $prev in\n", c->name[0] ? c->name : "\"\"");
        each_flag(c, bash_value_case, out);
        fputs("        esac\n        COMPREPLY=()\n", out);
        fputs("        if [[ $cur == -* ]]; then\n            COMPREPLY=($(compgen -W \"", out);
        each_flag(c, bash_flag_word, out);
        fputs(" --help\" -- \"$cur\"))\n            return\n        fi\n", out);
        if (!c->name[0])
            fputs("        COMPREPLY=($(compgen -W \"$_migtop_commands\" -- \"$cur\"))\n", out);
        bash_positional(out, c);
        fputs("        ;;\n", out);
    }
    fputs("    esac\n}\ncomplete -F _migtop migtop\n", out);
}

/* --- zsh ---------------------------------------------------------------- */

/* A description for zsh's brackets: no ], no ' (the spec is quoted). */
static void zsh_text(FILE *out, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '[': fputc('(', out); break;
        case ']': fputc(')', out); break;
        case '\'': fputs("'\\''", out); break;
        case ':': fputs(" -", out); break;
        default: fputc(*s, out);
        }
    }
}

static void zsh_flag(const help_cmd *c, const help_flag *f, void *ctx)
{
    (void)c;
    FILE *out = ctx;
    char names[64];
    flag_names(f, names, sizeof names);
    char *second = strchr(names, ' ');
    const char *action = !f->arg ? "" : !f->values ? ":value: " : !strcmp(f->values, "@task")
                            ? ":task:_migtop_tasks" : !strcmp(f->values, "@file") ? ":file:_files"
                            : !strcmp(f->values, "@dir") ? ":dir:_files -/" : NULL;
    fputs("        '", out);
    if (second) {
        *second = '\0';
        fprintf(out, "(%s %s)'{%s,%s}'", names, second + 1, names, second + 1);
    } else {
        fputs(names, out);
    }
    fputc('[', out);
    zsh_text(out, f->text);
    fputc(']', out);
    if (action)
        fputs(action, out);
    else
        fprintf(out, ":value:(%s)", f->values);
    fputs("' \\\n", out);
}

static void print_zsh(FILE *out)
{
    fputs("#compdef migtop\n# zsh completion for migtop (made by `migtop completion zsh`)\n"
          "_migtop_tasks() {\n"
          "    local -a t\n"
          "    t=(${(f)\"$(migtop list -o name 2>/dev/null)\"})\n"
          "    t=(${t##*/})\n"
          "    compadd -a t\n"
          "}\n"
          "_migtop() {\n"
          "    local -a commands\n"
          "    commands=(\n",
          out);
    for (int i = 0; i < help_n_cmds; i++)
        if (help_cmds[i].name[0]) {
            fprintf(out, "        '%s:", help_cmds[i].name);
            zsh_text(out, help_cmds[i].summary);
            fputs("'\n", out);
        }
    fputs("    )\n"
          "    if (( CURRENT == 2 )) && [[ $words[2] != -* ]]; then\n"
          "        _describe command commands\n"
          "        return\n"
          "    fi\n"
          "    local cmd=$words[2]\n"
          "    [[ $cmd == -* ]] && cmd=\n"
          "    (( CURRENT > 2 )) && shift words && (( CURRENT-- ))\n"
          "    case $cmd in\n",
          out);
    for (int i = 0; i < help_n_cmds; i++) {
        const help_cmd *c = &help_cmds[i];
        fprintf(out, "    %s)\n        _arguments -s \\\n", c->name[0] ? c->name : "''");
        each_flag(c, zsh_flag, out);
        const char *p = c->positional;
        fprintf(out, "        '*:%s' ;;\n", !p ? "argument: " : !strcmp(p, "@task")
                                                ? "task:_migtop_tasks" : !strcmp(p, "@shell")
                                                ? "shell:(bash zsh fish)" : "command: ");
    }
    /* Installed in $fpath the file is the function's body; sourced, it
     * registers the function. */
    fputs("    esac\n}\nif [[ $funcstack[1] == _migtop ]]; then\n    _migtop \"$@\"\nelse\n"
          "    compdef _migtop migtop\nfi\n", out);
}

/* --- fish --------------------------------------------------------------- */

/* s in fish's single quotes, cut at max characters. */
static void fish_text(FILE *out, const char *s, size_t max)
{
    for (size_t i = 0; s[i] && i < max; i++) {
        if (s[i] == '\'' || s[i] == '\\')
            fputc('\\', out);
        fputc(s[i], out);
    }
}

static void fish_flag(const help_cmd *c, const help_flag *f, void *ctx)
{
    FILE *out = ctx;
    char names[64];
    flag_names(f, names, sizeof names);
    fputs("complete -c migtop", out);
    if (c->name[0])
        fprintf(out, " -n '__fish_seen_subcommand_from %s'", c->name);
    else
        fputs(" -n __fish_use_subcommand", out);
    for (char *tok = strtok(names, " "); tok; tok = strtok(NULL, " "))
        fprintf(out, tok[1] == '-' ? " -l %s" : " -s %s", tok + (tok[1] == '-' ? 2 : 1));
    if (f->arg) {
        if (!f->values)
            fputs(" -r", out);
        else if (!strcmp(f->values, "@task"))
            fputs(" -xa '(__migtop_tasks)'", out);
        else if (!strcmp(f->values, "@file") || !strcmp(f->values, "@dir"))
            fputs(" -rF", out);
        else
            fprintf(out, " -xa '%s'", f->values);
    }
    fputs(" -d '", out);
    fish_text(out, f->text, 60);
    fputs("'\n", out);
}

static void print_fish(FILE *out)
{
    fputs("# fish completion for migtop (made by `migtop completion fish`)\n"
          "function __migtop_tasks\n"
          "    migtop list -o name 2>/dev/null | string replace -r '.*/' ''\n"
          "end\n"
          "complete -c migtop -f\n",
          out);
    for (int i = 0; i < help_n_cmds; i++) {
        const help_cmd *c = &help_cmds[i];
        if (c->name[0]) {
            fprintf(out, "complete -c migtop -n __fish_use_subcommand -a %s -d '", c->name);
            fish_text(out, c->summary, 200);
            fputs("'\n", out);
            const char *p = c->positional;
            if (p && !strcmp(p, "@task"))
                fprintf(out, "complete -c migtop -n '__fish_seen_subcommand_from %s' -xa "
                             "'(__migtop_tasks)'\n", c->name);
            if (p && !strcmp(p, "@shell"))
                fprintf(out, "complete -c migtop -n '__fish_seen_subcommand_from %s' -xa "
                             "'bash zsh fish'\n", c->name);
        }
        each_flag(c, fish_flag, out);
    }
}

int cmd_completion(int argc, char **argv)
{
    if (argc == 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
        help_print(stdout, "completion");
        return 0;
    }
    const char *sh = argc == 2 ? argv[1] : "";
    if (!strcmp(sh, "bash"))
        print_bash(stdout);
    else if (!strcmp(sh, "zsh"))
        print_zsh(stdout);
    else if (!strcmp(sh, "fish"))
        print_fish(stdout);
    else {
        fprintf(stderr, "migtop completion: which shell? bash, zsh or fish (migtop completion "
                        "bash)\n");
        return 2;
    }
    return 0;
}
