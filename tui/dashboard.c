#include "tui/dashboard.h"

#include <curses.h>
#include <errno.h>
#include <langinfo.h>
#include <locale.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <termios.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "libs/lazy.h"
#include "settings/config.h"
#include "tui/input.h"
#include "tui/logs_view.h"
#include "tui/render.h"
#include "tui/wizard_view.h"
#include "tui/theme_apply.h"
#include "model/fmt.h"

static volatile sig_atomic_t got_signal;

static void on_signal(int sig) { got_signal = sig; }

void dashboard_apply_config(const migtop_config *c, dashboard_opts *o)
{
    if (c->theme[0])
        o->theme = c->theme;
    if (c->pod_tz[0])
        o->pod_tz = c->pod_tz;
    if (c->lag_threshold)
        o->lag_warn_s = c->lag_threshold;
    if (c->refresh_ms)
        o->refresh_ms = c->refresh_ms;
    if (c->mouse)
        o->no_mouse = c->mouse < 0;
}

void dashboard_default_opts(dashboard_opts *o)
{
    memset(o, 0, sizeof *o);
    o->pod_tz = "UTC";
    o->lag_warn_s = 5;
    o->refresh_ms = 1000;
    dashboard_apply_config(config_user(NULL), o); /* the user's config; flags come after */
}

/* libpq or libcurl failing to load on first use (libs/lazy.h) ends the
 * program: the shell gets its terminal back before the message. */
static void give_terminal_back(void) { endwin(); }

static bool setup_terminal(char *err, size_t errlen)
{
    const char *term = getenv("TERM");
    if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
        snprintf(err, errlen, "the dashboard needs a terminal (stdin and stdout are not "
                 "both a tty); use the subcommands (migtop list, describe, ...) in scripts");
        return false;
    }
    /* Esc must answer at once, not after ncurses' default second. */
    if (!getenv("ESCDELAY"))
        setenv("ESCDELAY", "25", 1);
    SCREEN *scr = newterm(NULL, stdout, stdin);
    if (!scr) {
        snprintf(err, errlen, "cannot initialise the terminal (TERM=%s): unknown terminal type",
                 term ? term : "unset");
        return false;
    }
    set_term(scr);
    lazy_on_fail(give_terminal_back);
    cbreak();
    /* Ctrl-S is a key here (save the log), not XOFF: with flow control on
     * it would freeze the screen until Ctrl-Q, which the user on a
     * bastion host would take for a hang. ncurses keeps this mode as the
     * program's (def_prog_mode) and restores the shell's at the end. */
    struct termios tio;
    if (tcgetattr(STDIN_FILENO, &tio) == 0) {
        tio.c_iflag &= ~(tcflag_t)IXON;
        tcsetattr(STDIN_FILENO, TCSANOW, &tio);
        def_prog_mode();
    }
    noecho();
    nonl();
    keypad(stdscr, TRUE);
    nodelay(stdscr, TRUE);
    curs_set(0);
    return true;
}

/* For bench/dashboard.sh: when MIGTOP_BENCH_FRAME_LOG names a file, the
 * wall-clock time of the first frame and of the first frame with data are
 * appended to it, so start-up is measured without screen scraping. */
static void bench_frame_mark(const app *a)
{
    static bool first_done, data_done;
    const char *path = getenv("MIGTOP_BENCH_FRAME_LOG");
    if (!path || (first_done && (data_done || !a->snap)))
        return;
    FILE *f = fopen(path, "a");
    if (!f)
        return;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    long long ns = (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
    if (!first_done)
        fprintf(f, "first_frame %lld\n", ns);
    if (!data_done && a->snap)
        fprintf(f, "first_data_frame %lld\n", ns);
    first_done = true;
    data_done = a->snap != NULL;
    fclose(f);
}

/* The newest snapshot, and the readings a task's runner kept (a local
 * task's last 15 minutes, read on the feed's thread) for its ring, so a
 * task's chart has a past when the dashboard starts. */
static void take_news(app *a)
{
    mt_snapshot *s = mt_feed_take(a->feed, &a->health);
    if (s)
        app_set_snapshot(a, s);
    size_t n;
    mt_hist **kept = mt_feed_take_histories(a->feed, &n);
    mt_hist_offer(&a->hist, kept, n, fmt_now_ms());
    free(kept);
    a->dirty = true;
}

/* A broken config or theme: said (longer than a usual message, the user
 * may not be looking yet), and the defaults used. */
static void apply_settings(app *a, const dashboard_opts *o)
{
    const char *cfg_err;
    config_user(&cfg_err);
    char theme_err[512] = "";
    theme_apply(a, o->theme, true, theme_err, sizeof theme_err);
    if (cfg_err[0] || theme_err[0]) {
        app_message(a, true, "%s%s%s%s", cfg_err, cfg_err[0] && theme_err[0] ? " | " : "",
                    theme_err, theme_err[0] ? " (using the default theme)" : "");
        a->message_until_ms += 22000;
    }
}

/* Until the user quits, a signal comes or the terminal goes: draw when
 * something changed (or the ages need it), then sleep until a key, news
 * from the feed, the logs or a wizard's job, or the next redraw; never
 * longer, never on the network. */
/* The terminal cannot be read or asked any more: a hung-up or closed
 * terminal (the SSH session or the tmux pane gone without a SIGHUP
 * reaching us) fails tcgetattr with EIO, EBADF or ENOTTY. */
static bool terminal_gone(void)
{
    struct termios t;
    return tcgetattr(STDIN_FILENO, &t) != 0;
}

static void loop(app *a, const dashboard_opts *o)
{
    int64_t last_draw = 0;
    int spurious = 0; /* wakeups in a row with stdin readable and no key */
    while (!a->quit && !got_signal) {
        int64_t now = fmt_mono_ms();
        /* The readings over time, at most one a second (the sparkline and
         * the chart): wall clock, as the lag is. */
        mt_hist_record(&a->hist, a->snap, fmt_now_ms(), a->pod_tz_offset);
        if (a->dirty || now - last_draw >= o->refresh_ms) {
            render_frame(a);
            bench_frame_mark(a);
            a->dirty = false;
            last_draw = now;
        }
        struct pollfd p[4] = {{STDIN_FILENO, POLLIN, 0}, {mt_feed_fd(a->feed), POLLIN, 0},
                              {logs_view_fd(a), POLLIN, 0}, {wizard_view_fd(a), POLLIN, 0}};
        int wait = (int)(o->refresh_ms - (fmt_mono_ms() - last_draw));
        if (wait < 0)
            wait = 0;
        int r = poll(p, 4, wait); /* a negative fd is ignored */
        if (r < 0 && errno != EINTR)
            break;
        if (r > 0 && (p[1].revents & POLLIN))
            take_news(a);
        if (r > 0 && p[2].fd >= 0 && (p[2].revents & POLLIN))
            logs_view_drain(a);
        if (r > 0 && p[3].fd >= 0 && (p[3].revents & POLLIN))
            wizard_view_drain(a);
        int ch, keys = 0;
        while ((ch = getch()) != ERR) { /* also KEY_RESIZE after SIGWINCH */
            keys++;
            input_key(a, ch);
            if (a->relayout) { /* the next key navigates the new view */
                render_frame(a);
                a->relayout = a->dirty = false;
                last_draw = fmt_mono_ms();
            }
        }
        if (r > 0 && (p[0].revents & (POLLHUP | POLLERR | POLLNVAL)))
            break; /* the terminal went away (SSH dropped) */
        /* Readable, yet no key: end of file or an error on the terminal.
         * Left alone this would wake again at once, for ever, at full CPU
         * after the terminal has gone. */
        spurious = r > 0 && (p[0].revents & POLLIN) && !keys ? spurious + 1 : 0;
        if (spurious >= 20 && terminal_gone())
            break;
        if (spurious >= 20) { /* still there (in the background?): never spin */
            fmt_sleep_ms(50);
        }
    }
}

int dashboard_run(mt_backend *backend, mt_feed *feed, const dashboard_opts *o)
{
    app *a = calloc(1, sizeof *a);
    if (!a)
        abort();
    a->opts = *o;
    a->backend = backend;
    a->feed = feed;
    if (!fmt_parse_zone(o->pod_tz, &a->pod_tz_offset)) {
        fprintf(stderr, "migtop: --pod-tz \"%s\" is not a zone like UTC, UTC+8 or -05:30\n",
                o->pod_tz);
        mt_feed_free(feed);
        free(a);
        return 2;
    }
    snprintf(a->pod_tz_name, sizeof a->pod_tz_name, "%s", o->pod_tz);
    char err[512];
    setlocale(LC_ALL, "");
    bool utf8 = !strcmp(nl_langinfo(CODESET), "UTF-8");
    if (!mt_feed_start(feed, err, sizeof err) || !setup_terminal(err, sizeof err)) {
        fprintf(stderr, "migtop: %s\n", err);
        mt_feed_free(feed);
        free(a);
        return 1;
    }
    draw_set_utf8(utf8);
    if (!o->no_mouse) {
        /* Presses, not clicks: ncurses would hold a press back for the
         * click interval, and the wheel reports presses only. */
        mouseinterval(0);
        mousemask(BUTTON1_PRESSED | BUTTON4_PRESSED | BUTTON5_PRESSED, NULL);
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    app_push(a, V_TASKS);
    if (o->focus_task && *o->focus_task)
        app_open_task(a, NULL, o->focus_task);
    apply_settings(a, o); /* after the first views: its message is for the first screen */
    loop(a, o);
    endwin();
    /* Past here the user has quit (or the terminal has gone): a thread
     * stuck in its join below (a server that hangs without closing) would
     * keep the prompt from coming back, or a dashboard running without a
     * terminal; the alarm's default action ends the process after 10 s. */
    signal(SIGALRM, SIG_DFL);
    alarm(10);
    wizard_view_close(a);
    logs_view_close(a);
    free(a->logs.matches);
    /* a->feed, not feed: `:ctx` and `:ns` replace it. */
    mt_feed_set_focus(a->feed, "", "");
    mt_feed_free(a->feed);
    app_free_kept(a);
    mt_snapshot_free(a->snap);
    mt_hist_free(&a->hist);
    free(a->sel_refs);
    free(a);
    alarm(0); /* what comes after (the demo's teardown) has its own time */
    return 0;
}

int tui_run_dashboard(mt_backend *b, const char *focus_task)
{
    char err[512];
    mt_feed *f = b->ops->feed(b, err, sizeof err);
    if (!f) {
        fprintf(stderr, "migtop: %s\n", err);
        return 1;
    }
    dashboard_opts o;
    dashboard_default_opts(&o);
    o.focus_task = focus_task;
    return dashboard_run(b, f, &o);
}
