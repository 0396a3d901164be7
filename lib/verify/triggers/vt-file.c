/*
 * vt-file: one file operation through the system call a scenario names, on the paths given.
 *   open PATH...           open read-only and read (cat)
 *   write PATH DATA        open write-only, no create, and write DATA (a sysctl, a cgroup file, /etc/passwd)
 *   append [-p] PATH DATA  open with O_APPEND|O_CREAT and write DATA (echo DATA >> PATH); -p creates missing
 *                          parent directories first
 *   rewrite PATH           read the content and write the same bytes back (a write that changes nothing)
 *   trunc-open PATH        open with O_WRONLY|O_TRUNC|O_CREAT (: > PATH)
 *   truncate PATH [LEN]    truncate(2)
 *   ftruncate PATH [LEN]   open write-only, then ftruncate(2)
 *   mmap PATH              open read-only and mmap(2) it with PROT_READ
 *   replace PATH LINE      what shadow-utils' commonio does: read PATH, write the backup PATH-, write PATH+
 *                          with LINE appended, rename(2) PATH+ over PATH (PATH itself is never written)
 *   rename|renameat|renameat2 OLD NEW, link|linkat OLD NEW, symlink|symlinkat TARGET LINK, unlink|unlinkat PATH
 *                          the system call of that name (*at forms with AT_FDCWD)
 *   list DIR               read a directory's entries (getdents64)
 *   mknod PATH b|c MAJOR MINOR  create a block or character device node (replacing PATH)
 * Several operations run in order when separated by "--" ("append -p /x/y data -- unlink /x/y"). A LEN of
 * "keep" truncates a file to its own size: the call is made and nothing is lost.
 */
#include "vt.h"
#include <dirent.h>
#include <fcntl.h>
#include <linux/close_range.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>

static const char USAGE[] =
	"open PATH... | write PATH DATA | append [-p] PATH DATA | rewrite PATH | trunc-open PATH | truncate PATH [LEN] |\n"
	"  ftruncate PATH [LEN] | mmap PATH | replace PATH LINE | rename|renameat|renameat2|link|linkat|symlink|symlinkat A B |\n"
	"  unlink|unlinkat PATH | list DIR | mknod PATH b|c MAJOR MINOR   [-- OPERATION...]";

static char text[16384];

static long call_open(const char *path, int flags)
{
	snprintf(text, sizeof(text), "open(\"%s\", %#o)", path, flags);
	return vt_report(text, open(path, flags | O_CLOEXEC, 0644));
}

static void write_all(int fd, const char *path, const char *data, size_t len)
{
	snprintf(text, sizeof(text), "write(\"%s\", %zu bytes)", path, len);
	vt_report(text, write(fd, data, len));
}

/* Reads up to size bytes of a file (unwatched preparation). */
static ssize_t read_file(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		vt_prepare_failed(path);
	ssize_t n = read(fd, buf, size);
	close(fd);
	if (n < 0)
		vt_prepare_failed(path);
	return n;
}

static void make_parents(const char *path)
{
	char copy[4096];
	snprintf(copy, sizeof(copy), "%s", path);
	for (char *p = copy + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(copy, 0700) < 0 && errno != EEXIST)
			vt_prepare_failed(copy);
		*p = '/';
	}
}

static void replace(const char *path, const char *line)
{
	static char content[1 << 20];
	char other[4096];
	ssize_t n;
	int fd = (int)call_open(path, O_RDONLY);
	if (fd < 0)
		return;
	n = read(fd, content, sizeof(content) - 2);
	close(fd);
	if (n < 0)
		vt_prepare_failed(path);
	snprintf(other, sizeof(other), "%s-", path);
	if ((fd = (int)call_open(other, O_WRONLY | O_CREAT | O_TRUNC)) >= 0) {
		write_all(fd, other, content, (size_t)n);
		close(fd);
	}
	n += snprintf(content + n, sizeof(content) - (size_t)n, "%s\n", line);
	snprintf(other, sizeof(other), "%s+", path);
	if ((fd = (int)call_open(other, O_WRONLY | O_CREAT | O_TRUNC)) >= 0) {
		write_all(fd, other, content, (size_t)n);
		close(fd);
	}
	snprintf(text, sizeof(text), "rename(\"%s\", \"%s\")", other, path);
	vt_report(text, syscall(SYS_rename, other, path));
}

static int two_path_call(const char *op, const char *a, const char *b)
{
	long ret;
	if (strcmp(op, "rename") == 0)
		ret = syscall(SYS_rename, a, b);
	else if (strcmp(op, "renameat") == 0)
		ret = syscall(SYS_renameat, AT_FDCWD, a, AT_FDCWD, b);
	else if (strcmp(op, "renameat2") == 0)
		ret = syscall(SYS_renameat2, AT_FDCWD, a, AT_FDCWD, b, 0);
	else if (strcmp(op, "link") == 0)
		ret = syscall(SYS_link, a, b);
	else if (strcmp(op, "linkat") == 0)
		ret = syscall(SYS_linkat, AT_FDCWD, a, AT_FDCWD, b, 0);
	else if (strcmp(op, "symlink") == 0)
		ret = syscall(SYS_symlink, a, b);
	else if (strcmp(op, "symlinkat") == 0)
		ret = syscall(SYS_symlinkat, a, AT_FDCWD, b);
	else
		return 0;
	snprintf(text, sizeof(text), "%s(\"%s\", \"%s\")", op, a, b);
	vt_report(text, ret);
	return 1;
}

/* One operation: argv[0] is its name. */
static void run(int argc, char **argv)
{
	argc++;
	argv--;
	if (argc < 3)
		vt_usage(USAGE);
	const char *op = argv[1], *path = argv[2];
	long fd;
	if (strcmp(op, "open") == 0) {
		for (int i = 2; i < argc; i++) {
			char buf[64];
			if ((fd = call_open(argv[i], O_RDONLY)) >= 0) {
				snprintf(text, sizeof(text), "read(\"%s\")", argv[i]);
				vt_report(text, read((int)fd, buf, sizeof(buf)));
				close((int)fd);
			}
		}
	} else if ((strcmp(op, "write") == 0 && argc == 4) || (strcmp(op, "append") == 0 && (argc == 4 || argc == 5))) {
		int append = strcmp(op, "append") == 0;
		if (append && argc == 5) {
			if (strcmp(argv[2], "-p") != 0)
				vt_usage(USAGE);
			path = argv[3];
			make_parents(path);
		}
		const char *data = argv[argc - 1];
		if ((fd = call_open(path, append ? O_WRONLY | O_APPEND | O_CREAT : O_WRONLY)) >= 0)
			write_all((int)fd, path, data, strlen(data));
	} else if (strcmp(op, "rewrite") == 0 && argc == 3) {
		char buf[4096];
		ssize_t n = read_file(path, buf, sizeof(buf));
		if ((fd = call_open(path, O_WRONLY)) >= 0)
			write_all((int)fd, path, buf, (size_t)n);
	} else if (strcmp(op, "trunc-open") == 0 && argc == 3) {
		call_open(path, O_WRONLY | O_TRUNC | O_CREAT);
	} else if ((strcmp(op, "truncate") == 0 || strcmp(op, "ftruncate") == 0) && (argc == 3 || argc == 4)) {
		long long len = 0;
		struct stat st;
		if (argc == 4 && strcmp(argv[3], "keep") == 0) {
			if (stat(path, &st) < 0)
				vt_prepare_failed(path);
			len = st.st_size;
		} else if (argc == 4) {
			len = vt_number(argv[3], USAGE);
		}
		if (op[0] == 't') {
			snprintf(text, sizeof(text), "truncate(\"%s\", %lld)", path, len);
			vt_report(text, truncate(path, len));
		} else if ((fd = call_open(path, O_WRONLY)) >= 0) {
			snprintf(text, sizeof(text), "ftruncate(%ld <%s>, %lld)", fd, path, len);
			vt_report(text, ftruncate((int)fd, len));
		}
	} else if (strcmp(op, "mmap") == 0 && argc == 3) {
		if ((fd = call_open(path, O_RDONLY)) >= 0) {
			void *p = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, (int)fd, 0);
			snprintf(text, sizeof(text), "mmap(%ld <%s>, 4096, PROT_READ, MAP_PRIVATE)", fd, path);
			vt_report(text, p == MAP_FAILED ? -1 : 0);
		}
	} else if (strcmp(op, "replace") == 0 && argc == 4) {
		replace(path, argv[3]);
	} else if ((strcmp(op, "unlink") == 0 || strcmp(op, "unlinkat") == 0) && argc == 3) {
		snprintf(text, sizeof(text), "%s(\"%s\")", op, path);
		vt_report(text, op[6] ? syscall(SYS_unlinkat, AT_FDCWD, path, 0) : syscall(SYS_unlink, path));
	} else if (strcmp(op, "list") == 0 && argc == 3) {
		char buf[4096];
		if ((fd = call_open(path, O_RDONLY | O_DIRECTORY)) >= 0) {
			snprintf(text, sizeof(text), "getdents64(\"%s\")", path);
			vt_report(text, syscall(SYS_getdents64, (int)fd, buf, sizeof(buf)));
		}
	} else if (strcmp(op, "mknod") == 0 && argc == 6 && (argv[3][0] == 'b' || argv[3][0] == 'c') && argv[3][1] == '\0') {
		mode_t type = argv[3][0] == 'b' ? S_IFBLK : S_IFCHR;
		dev_t dev = makedev((unsigned)vt_number(argv[4], USAGE), (unsigned)vt_number(argv[5], USAGE));
		unlink(path);
		snprintf(text, sizeof(text), "mknod(\"%s\", %s %s:%s)", path, argv[3], argv[4], argv[5]);
		vt_report(text, mknod(path, type | 0600, dev));
	} else if (argc != 4 || !two_path_call(op, argv[2], argv[3])) {
		vt_usage(USAGE);
	}
}

int main(int argc, char **argv)
{
	vt_name = "vt-file";
	int start = 1;
	for (int i = 1; i <= argc; i++) {
		if (i == argc || strcmp(argv[i], "--") == 0) {
			argv[i < argc ? i : argc] = NULL;
			run(i - start, argv + start);
			/* Each operation starts with no file of the previous one open. */
			close_range(3, ~0U, 0);
			start = i + 1;
		}
	}
	return vt_status;
}
