/*
 * Shared by the verifier's trigger programs (vt-*.c): call reporting, exit codes and argument parsing.
 *
 * Every program makes the kernel calls a scenario describes, one line per call on stdout
 * ("vt-setid: setuid(0) = -1 EPERM"), and exits with:
 *   0  every call returned success;
 *   1  the calls were made and at least one failed (a hook at the function's entry saw it all the same);
 *   2  usage error;
 *   3  preparation failed, so the watched call was not made.
 */
#ifndef VT_H
#define VT_H

#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define VT_OK 0
#define VT_FAILED 1
#define VT_USAGE 2
#define VT_PREPARE 3

static const char *vt_name = "vt";
static int vt_status = VT_OK;

/* Reports one call's result (ret < 0 means failure with errno) and records a failure. Returns ret. */
static inline long vt_report(const char *call, long ret)
{
	if (ret < 0) {
		const char *name = strerrorname_np(errno);
		printf("%s: %s = -1 %s (%s)\n", vt_name, call, name ? name : "?", strerror(errno));
		vt_status = VT_FAILED;
	} else {
		printf("%s: %s = %ld\n", vt_name, call, ret);
	}
	fflush(stdout);
	return ret;
}

/* Exits with VT_PREPARE after a step that had to succeed. */
__attribute__((noreturn)) static inline void vt_prepare_failed(const char *what)
{
	fprintf(stderr, "%s: %s: %s (the watched call was not made)\n", vt_name, what, strerror(errno));
	exit(VT_PREPARE);
}

__attribute__((noreturn)) static inline void vt_usage(const char *usage)
{
	fprintf(stderr, "usage: %s %s\n", vt_name, usage);
	exit(VT_USAGE);
}

/* Parses a signed number in decimal, hex (0x) or octal (0); exits with a usage error otherwise. */
static inline long long vt_number(const char *text, const char *usage)
{
	char *end;
	errno = 0;
	long long v = strtoll(text, &end, 0);
	if (errno || *text == '\0' || *end != '\0') {
		fprintf(stderr, "%s: not a number: %s\n", vt_name, text);
		vt_usage(usage);
	}
	return v;
}

#endif
