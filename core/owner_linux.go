package core

import "golang.org/x/sys/unix"

// noUnixPermissions reports whether path is on a filesystem whose owners
// and modes are made up at mount time rather than stored, and names it.
func noUnixPermissions(path string) (string, bool) {
	var st unix.Statfs_t
	if err := unix.Statfs(path, &st); err != nil {
		return "", false
	}
	switch uint32(st.Type) {
	case 0x4d44:
		return "FAT", true
	case 0x2011bab0:
		return "exFAT", true
	case 0x5346544e, 0x7366746e:
		return "NTFS", true
	case 0x517b, 0xff534d42, 0xfe534d42:
		return "SMB", true
	case 0x01021997:
		return "9p, a WSL drive", true
	}
	return "", false
}
