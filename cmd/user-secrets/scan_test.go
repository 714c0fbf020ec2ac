package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"

	"github.com/go-user-secrets/user-secrets/core"
)

// writeTree creates files (path → content) under dir.
func writeTree(t testing.TB, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

var scanSecrets = []core.Entry{
	{Key: "API_KEY", Value: "canary-api-key-123"},
	{Key: "ALIAS_KEY", Value: "canary-api-key-123"},
	{Key: "SHORT", Value: "canary7"},
	{Key: "UNICODE", Value: "pässwörd"}, // 8 characters, 10 bytes
	{Key: "SHORT_UNICODE", Value: "pässwö"},
	{Key: "MULTI", Value: "-----BEGIN-----\r\ncanary-long-middle-line-of-a-pem\r\n-----END-----"},
}

func TestScanner(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{
		"a/b/c/nested.go":  "package c\n\nvar k = \"canary-api-key-123\"\n",
		"crlf.txt":         "first\r\nsecond\r\nkey=canary-api-key-123\r\nagain canary-api-key-123 canary-api-key-123\r\n",
		"short.txt":        "canary7 canary7\npässwö\n",
		"unicode.txt":      "\n\npässwörd\n",
		"pem.txt":          "-----BEGIN-----\nx\n-----END-----\n  canary-long-middle-line-of-a-pem\n",
		".git/config":      "canary-api-key-123\n",
		"sub/.git/HEAD":    "canary-api-key-123\n",
		"binary.bin":       "\x00\x01canary-api-key-123\n",
		"late-nul.txt":     strings.Repeat("x", scanSniffSize) + "\x00canary-api-key-123\n",
		"store/id/secrets": "API_KEY=canary-api-key-123\n",
		"empty.txt":        "",
	})
	big := make([]byte, scanMaxSize+1)
	copy(big, "canary-api-key-123\n")
	if err := os.WriteFile(filepath.Join(dir, "big.txt"), bigFill(big), 0o644); err != nil {
		t.Fatal(err)
	}
	if runtime.GOOS != "windows" {
		if err := os.Symlink(filepath.Join(dir, "crlf.txt"), filepath.Join(dir, "link.txt")); err != nil {
			t.Fatal(err)
		}
	}
	storeInfo, err := os.Stat(filepath.Join(dir, "store"))
	if err != nil {
		t.Fatal(err)
	}

	sc := &scanner{needles: newNeedles(scanSecrets), skipDirs: []os.FileInfo{storeInfo}}
	res, err := sc.scan(dir)
	if err != nil {
		t.Fatal(err)
	}
	want := []hit{
		{"a/b/c/nested.go", 3, "ALIAS_KEY"},
		{"a/b/c/nested.go", 3, "API_KEY"},
		{"crlf.txt", 3, "ALIAS_KEY"},
		{"crlf.txt", 3, "API_KEY"},
		{"crlf.txt", 4, "ALIAS_KEY"},
		{"crlf.txt", 4, "API_KEY"},
		// The same file also has a NUL byte after the first 8 KiB: it is
		// read as text.
		{"late-nul.txt", 1, "ALIAS_KEY"},
		{"late-nul.txt", 1, "API_KEY"},
		{"pem.txt", 4, "MULTI"},
		{"unicode.txt", 3, "UNICODE"},
	}
	if !reflect.DeepEqual(res.hits, want) {
		t.Errorf("hits:\n got %v\nwant %v", res.hits, want)
	}
	if res.binary != 1 || res.large != 1 {
		t.Errorf("skipped %d binary and %d large files, want 1 and 1", res.binary, res.large)
	}
	if res.files != 7 {
		t.Errorf("scanned %d files, want 7", res.files)
	}
	if len(res.errs) != 0 {
		t.Errorf("errors: %v", res.errs)
	}
}

// bigFill makes b text (no NUL) after its prefix.
func bigFill(b []byte) []byte {
	for i := range b {
		if b[i] == 0 {
			b[i] = 'x'
		}
	}
	return b
}

func TestScannerUnreadable(t *testing.T) {
	if runtime.GOOS == "windows" || os.Geteuid() == 0 {
		t.Skip("needs Unix permissions that bind the test's user")
	}
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{"locked/f.txt": "canary-api-key-123\n", "open.txt": "canary-api-key-123\n"})
	if err := os.Chmod(filepath.Join(dir, "locked"), 0); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(filepath.Join(dir, "locked"), 0o755) })
	sc := &scanner{needles: newNeedles(scanSecrets[:1])}
	res, err := sc.scan(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.errs) != 1 || len(res.hits) != 1 {
		t.Errorf("got %d errors and %d hits, want 1 and 1", len(res.errs), len(res.hits))
	}
}

func TestNewNeedles(t *testing.T) {
	got := newNeedles(scanSecrets)
	var texts []string
	for _, n := range got {
		texts = append(texts, fmt.Sprintf("%s=%d", strings.Join(n.keys, ","), len(n.text)))
	}
	want := []string{"API_KEY,ALIAS_KEY=18", "UNICODE=10", "MULTI=32"}
	if !reflect.DeepEqual(texts, want) {
		t.Errorf("newNeedles: got %v, want %v", texts, want)
	}
}

func TestSecretLookingKeys(t *testing.T) {
	tests := []struct {
		name string
		env  string
		want []lineKey
	}{
		{
			name: "parsed",
			env: "\ufeff# comment with API_KEY=x\r\n" +
				"USER_SECRETS_ID=0b5a4a36-3f7e-4d8c-9a4e-4a1f6f7a1b2c\r\n" +
				"export Stripe_Secret = sk\r\n" +
				"PORT=8080\n" +
				"EMPTY_TOKEN=\n" +
				"QUOTED_EMPTY_PASSWORD=\"\"\n" +
				"MonkeyPassword='x'\n" +
				"github_token=x\n" +
				"github_token=y\n" +
				"LATER_EMPTY_KEY=x\n" +
				"LATER_EMPTY_KEY=\n",
			want: []lineKey{{3, "Stripe_Secret"}, {7, "MonkeyPassword"}, {9, "github_token"}},
		},
		{
			// The lines of a multi-line value are the value, whatever
			// they look like.
			name: "multi-line value",
			env: "USER_SECRETS_ID=0b5a4a36-3f7e-4d8c-9a4e-4a1f6f7a1b2c\n" +
				"TLS_CERT=\"-----BEGIN CERTIFICATE-----\n" +
				"CANARYZmQ+zz/PEMsecretbody==\n" +
				"CANARY_TOKEN=inside-the-value\n" +
				"-----END CERTIFICATE-----\"\n" +
				"API_TOKEN=x\n",
			want: []lineKey{{6, "API_TOKEN"}},
		},
		{
			name: "multi-line single-quoted value",
			env: "SSH_KEY='-----BEGIN OPENSSH PRIVATE KEY-----\r\n" +
				"CANARY_TOKEN=inside-the-value\r\n" +
				"-----END OPENSSH PRIVATE KEY-----'\r\n" +
				"DB_PASSWORD=\"a\\\"\n" +
				"CANARY_SECRET=still-inside\n" +
				"\" # closed\n",
			want: []lineKey{{1, "SSH_KEY"}, {4, "DB_PASSWORD"}},
		},
		{
			// Lines core.Parse would refuse are skipped, the rest read.
			name: "does not parse",
			env: "export Stripe_Secret = sk\n" +
				"not a line\n" +
				"EMPTY_TOKEN=''\n" +
				"COMMENT_TOKEN= # to fill in\n" +
				"github_token=x\n" +
				"github_token=y\n",
			want: []lineKey{{1, "Stripe_Secret"}, {6, "github_token"}},
		},
		{
			// In the order of the winning definitions.
			name: "last wins, in line order",
			env: "A_TOKEN=1\n" +
				"B_TOKEN=2\n" +
				"A_TOKEN=3\n",
			want: []lineKey{{2, "B_TOKEN"}, {3, "A_TOKEN"}},
		},
		{
			// A quote never closed: its line alone is the value, and the
			// next lines are read as definitions. Only valid keys are ever
			// named, so text from inside the value that looks like a key
			// but is not a valid one is not.
			name: "unterminated quote: only valid keys",
			env: "TLS_KEY=\"-----BEGIN PRIVATE KEY-----\n" +
				"CANARYZmQ+zz/PEMsecretbody==\n" +
				"CANARY-TOKEN=inside-the-value\n" +
				"CANARY TOKEN=inside-the-value\n",
			want: []lineKey{{1, "TLS_KEY"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := secretLookingKeys([]byte(tt.env))
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("secretLookingKeys = %v, want %v", got, tt.want) // keys and lines only
			}
		})
	}
}

// BenchmarkScan10000Files scans a tree of 10,000 source-like files (100
// directories of 100 files, about 2 KiB each, 20 MiB in all) for 20 stored
// values, one of which is planted in 10 files.
//
//	go test -run '^$' -bench Scan10000 -benchtime 20x ./cmd/user-secrets
func BenchmarkScan10000Files(b *testing.B) {
	dir := b.TempDir()
	var secrets []core.Entry
	for i := range 20 {
		secrets = append(secrets, core.Entry{Key: fmt.Sprintf("SECRET_%d", i), Value: fmt.Sprintf("sk_live_%08d_canary", i*7919)})
	}
	var body bytes.Buffer
	for i := 0; body.Len() < 2048; i++ {
		fmt.Fprintf(&body, "\tif err := doSomething(ctx, %d, \"value-%d\"); err != nil { return fmt.Errorf(\"step %d: %%w\", err) }\n", i, i, i)
	}
	for d := range 100 {
		sub := filepath.Join(dir, fmt.Sprintf("pkg%03d", d))
		if err := os.MkdirAll(sub, 0o755); err != nil {
			b.Fatal(err)
		}
		for f := range 100 {
			content := body.Bytes()
			if d%10 == 0 && f == 0 {
				content = append(append([]byte(nil), content...), "key := \"sk_live_00000000_canary\"\n"...)
			}
			if err := os.WriteFile(filepath.Join(sub, fmt.Sprintf("file%03d.go", f)), content, 0o644); err != nil {
				b.Fatal(err)
			}
		}
	}
	sc := &scanner{needles: newNeedles(secrets)}
	for b.Loop() {
		res, err := sc.scan(dir)
		if err != nil {
			b.Fatal(err)
		}
		if res.files != 10000 || len(res.hits) != 10 {
			b.Fatalf("scanned %d files with %d hits, want 10000 and 10", res.files, len(res.hits))
		}
	}
}

func TestNewCmdScan(t *testing.T) {
	var got *ScanOptions
	cmd := newCmdScan(&Factory{}, func(o *ScanOptions) error { got = o; return nil })
	if err, _ := parse(t, cmd, []string{"src"}); err != nil || got.Dir != "src" {
		t.Fatalf("scan src: err = %v, Dir = %q", err, got.Dir)
	}
	cmd = newCmdScan(&Factory{}, func(*ScanOptions) error { return nil })
	if err, usage := parse(t, cmd, []string{"a", "b"}); !usage {
		t.Errorf("scan a b: err = %v, want a usage error", err)
	}
}
