package fsutil

// SyncDir is a no-op on Windows, where directories cannot be opened for
// syncing and a completed MoveFileEx is already durable.
func SyncDir(dir string) error { return nil }
