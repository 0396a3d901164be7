/*
 * vt-run: the verifier's execution shim inside the guest.
 *
 *   vt-run mark LABEL...                       exits at once; its exec, which the agent exports as a
 *                                              process_exec event, marks a point in the agent's own clock
 *   vt-run [-u UID] [-g GID] -- PROGRAM ARG... drops supplementary groups, switches to GID and UID
 *                                              (in that order, so the uid switch cannot block the gid one),
 *                                              then execs PROGRAM (searched in PATH when it has no slash)
 *
 * Exit status: 127 when PROGRAM cannot be executed, 126 on a bad credential switch, 2 on usage errors.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int usage(void) {
  fputs("usage: vt-run mark LABEL... | vt-run [-u UID] [-g GID] -- PROGRAM [ARG...]\n", stderr);
  return 2;
}

static int parse_id(const char *s, long *out) {
  char *end;
  errno = 0;
  long v = strtol(s, &end, 10);
  if (errno || *s == '\0' || *end != '\0' || v < 0 || v > 0x7fffffffL) return -1;
  *out = v;
  return 0;
}

int main(int argc, char **argv) {
  if (argc >= 2 && strcmp(argv[1], "mark") == 0) return 0;

  long uid = -1, gid = -1;
  int i = 1;
  for (; i < argc; i++) {
    if (strcmp(argv[i], "--") == 0) { i++; break; }
    if (i + 1 >= argc) return usage();
    if (strcmp(argv[i], "-u") == 0) {
      if (parse_id(argv[++i], &uid)) return usage();
    } else if (strcmp(argv[i], "-g") == 0) {
      if (parse_id(argv[++i], &gid)) return usage();
    } else {
      return usage();
    }
  }
  if (i >= argc) return usage();
  if (uid >= 0 && gid < 0) gid = uid;

  if (gid >= 0) {
    gid_t g = (gid_t)gid;
    if (setgroups(1, &g) != 0 || setgid(g) != 0) { perror("vt-run: setgid"); return 126; }
  }
  if (uid >= 0 && setuid((uid_t)uid) != 0) { perror("vt-run: setuid"); return 126; }

  execvp(argv[i], &argv[i]);
  fprintf(stderr, "vt-run: %s: %s\n", argv[i], strerror(errno));
  return 127;
}
