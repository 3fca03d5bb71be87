/* `migtop demo`: the command that starts two throwaway servers, a local
 * task between them, and the dashboard on it. */
#ifndef MIGTOP_MAIN_DEMO_H
#define MIGTOP_MAIN_DEMO_H

int cmd_demo(int argc, char **argv);

#endif
