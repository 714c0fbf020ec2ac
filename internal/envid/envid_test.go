package envid

import "testing"

// core's TestScanEnvFileID and friends test the scan through core.scanID;
// this checks that the key is the caller's.
func TestScanKey(t *testing.T) {
	data := []byte("USER_SECRETS_ID=a\nexport OTHER_ID = 'b' # c\r\nOTHER_ID=\"c\"\rOTHER_IDX=d\n")
	for key, want := range map[string]struct {
		value string
		line  int
	}{
		"USER_SECRETS_ID": {"a", 1},
		"OTHER_ID":        {"c", 3},
		"MISSING":         {"", 0},
	} {
		if v, line := Scan(data, key); v != want.value || line != want.line {
			t.Errorf("Scan(%s) = %q, %d; want %q, %d", key, v, line, want.value, want.line)
		}
	}
}
