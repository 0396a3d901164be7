/*
 * vt-mount: the mount calls of a container escape, in the caller's mount namespace:
 *   mount SOURCE TARGET TYPE [OPTIONS]  mount(2) (TARGET is created if missing); SOURCE and TYPE may be ""
 *   bind SOURCE TARGET                  mount(2) with MS_BIND and no type
 *   fsopen TYPE                         fsopen(2) of a file-system context (new mount API), then close it
 *   move-mount SOURCE TARGET            open_tree(2) a clone of SOURCE and attach it at TARGET with move_mount(2)
 *   pivot-root NEW PUT_OLD              pivot_root(2) (usually refused: the hook sees the call first)
 * security_sb_mount sees mount(2)'s arguments before the permission check, so an unprivileged call reaches it.
 */
#include "vt.h"
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#ifndef OPEN_TREE_CLONE
#define OPEN_TREE_CLONE 1
#endif
#ifndef MOVE_MOUNT_F_EMPTY_PATH
#define MOVE_MOUNT_F_EMPTY_PATH 0x00000004
#endif

static const char USAGE[] =
	"mount SOURCE TARGET TYPE [OPTIONS] | bind SOURCE TARGET | fsopen TYPE | move-mount SOURCE TARGET | pivot-root NEW PUT_OLD";

static void make_dir(const char *path)
{
	if (mkdir(path, 0755) < 0 && errno != EEXIST)
		vt_prepare_failed(path);
}

int main(int argc, char **argv)
{
	char text[8400];
	vt_name = "vt-mount";
	if (argc < 3)
		vt_usage(USAGE);
	const char *op = argv[1];
	if (strcmp(op, "mount") == 0 && (argc == 5 || argc == 6)) {
		const char *options = argc == 6 ? argv[5] : NULL;
		make_dir(argv[3]);
		snprintf(text, sizeof(text), "mount(\"%s\", \"%s\", \"%s\", 0, \"%s\")", argv[2], argv[3], argv[4], options ? options : "");
		vt_report(text, mount(argv[2], argv[3], argv[4], 0, options));
	} else if (strcmp(op, "bind") == 0 && argc == 4) {
		make_dir(argv[3]);
		snprintf(text, sizeof(text), "mount(\"%s\", \"%s\", NULL, MS_BIND)", argv[2], argv[3]);
		vt_report(text, mount(argv[2], argv[3], NULL, MS_BIND, NULL));
	} else if (strcmp(op, "fsopen") == 0 && argc == 3) {
		snprintf(text, sizeof(text), "fsopen(\"%s\", FSOPEN_CLOEXEC)", argv[2]);
		long fd = vt_report(text, syscall(SYS_fsopen, argv[2], 1));
		if (fd >= 0)
			close((int)fd);
	} else if (strcmp(op, "move-mount") == 0 && argc == 4) {
		make_dir(argv[3]);
		snprintf(text, sizeof(text), "open_tree(\"%s\", OPEN_TREE_CLONE)", argv[2]);
		long fd = vt_report(text, syscall(SYS_open_tree, AT_FDCWD, argv[2], OPEN_TREE_CLONE | O_CLOEXEC));
		if (fd >= 0) {
			snprintf(text, sizeof(text), "move_mount(%ld <%s>, \"\", AT_FDCWD, \"%s\", MOVE_MOUNT_F_EMPTY_PATH)", fd, argv[2], argv[3]);
			vt_report(text, syscall(SYS_move_mount, (int)fd, "", AT_FDCWD, argv[3], MOVE_MOUNT_F_EMPTY_PATH));
		}
	} else if (strcmp(op, "pivot-root") == 0 && argc == 4) {
		snprintf(text, sizeof(text), "pivot_root(\"%s\", \"%s\")", argv[2], argv[3]);
		vt_report(text, syscall(SYS_pivot_root, argv[2], argv[3]));
	} else {
		vt_usage(USAGE);
	}
	return vt_status;
}
