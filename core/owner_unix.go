//go:build unix

package core

import (
	"fmt"
	"io/fs"
	"os"
	"os/user"
	"strconv"
	"syscall"
)

// checkPrivate refuses a store root, store directory or secrets file that
// another user could have put there or could change, as ssh does for its
// key files: it must be owned by the user or by root, and not writable by
// group or others. fi describes path (through symbolic links: a linked
// root or store directory is checked at its target).
//
// On a filesystem without Unix permissions (FAT, exFAT, NTFS, SMB, a WSL
// drive) no file passes, so none is refused: checkPrivate returns a
// warning instead, which says that privacy cannot be checked there.
func checkPrivate(path string, fi fs.FileInfo) (warning string, err error) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return "", nil
	}
	owner, writable := int(st.Uid), fi.Mode().Perm()&0o022
	if (owner == os.Getuid() || owner == 0) && writable == 0 {
		return "", nil
	}
	if fsName, ok := noUnixPermissions(path); ok {
		return fmt.Sprintf("%s is on a filesystem without Unix permissions (%s): its privacy cannot be checked or kept", path, fsName), nil
	}
	if owner != os.Getuid() && owner != 0 {
		return "", fmt.Errorf("%s belongs to %s, not to you (%s): refused; a store must be yours", path, userName(owner), userName(os.Getuid()))
	}
	who := "others"
	if writable == 0o020 {
		who = "its group"
	} else if writable == 0o022 {
		who = "its group and others"
	}
	return "", fmt.Errorf("%s is writable by %s (mode %04o): refused; run chmod go-w on it", path, who, fi.Mode().Perm())
}

// userName names a user for a message: "ann (uid 1000)", or "uid 1000".
func userName(uid int) string {
	id := strconv.Itoa(uid)
	if u, err := user.LookupId(id); err == nil && u.Username != "" {
		return fmt.Sprintf("%s (uid %s)", u.Username, id)
	}
	return "uid " + id
}
