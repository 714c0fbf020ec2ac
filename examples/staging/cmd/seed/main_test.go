package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/go-user-secrets/user-secrets/examples/staging/internal/etcdtest"
)

const canary = "CANARY-s3cr3t"

// Input that is not what export writes is an error that quotes none of it.
func TestReadExportErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, in, want string }{
		{"empty", "", "standard input is empty"},
		{"not JSON", "API_KEY=" + canary + "\n", "standard input is not JSON (at byte 1)"},
		{"bad character", `{"API_KEY": "x"` + canary + `}`, "standard input is not JSON (at byte 16)"},
		{"number", `{"PORT": 8080, "API_KEY": "` + canary + `"}`, `the value of "PORT" is not a string`},
		{"array", `["` + canary + `"]`, "standard input is not a JSON object"},
		{"null", "null", "standard input is null"},
		{"two values", `{"A": "` + canary + `"} {"B": "b"}`, "more than one JSON value"},
		{"empty key", `{"": "` + canary + `"}`, "an empty key"},
	} {
		_, err := readExport(strings.NewReader(tc.in))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: readExport = %v, want an error saying %q", tc.name, err, tc.want)
			continue
		}
		if strings.Contains(err.Error(), canary) || strings.Contains(err.Error(), "'C'") {
			t.Errorf("%s: the error quotes the input", tc.name)
		}
	}
}

func TestUsage(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		args []string
		want string
	}{
		{nil, "seed: error: -prefix is required\n"},
		{[]string{"-prefix", "//"}, "seed: error: -prefix is required\n"},
		{[]string{"-prefix", "/p", "extra"}, "seed: error: no arguments are taken: the secrets come on standard input\n"},
	} {
		var stderr bytes.Buffer
		if code := run(tc.args, strings.NewReader("{}"), &stderr); code != 2 {
			t.Errorf("run(%q) = %d, want 2", tc.args, code)
		}
		if stderr.String() != tc.want {
			t.Errorf("run(%q): stderr = %q, want %q", tc.args, stderr.String(), tc.want)
		}
	}
	var stderr bytes.Buffer
	if code := run([]string{"-nope"}, strings.NewReader("{}"), &stderr); code != 2 {
		t.Errorf("run with an unknown flag = %d, want 2", code)
	}
}

// TestPut seeds a real etcd and reads every key back. The keys are put in
// transactions of at most 128 keys and 1 MiB: etcd gives each transaction
// one revision.
func TestPut(t *testing.T) {
	t.Parallel()
	s := etcdtest.Start(t)
	c := s.Client(t)
	for _, tc := range []struct {
		name    string
		secrets map[string]string
		txns    int
	}{
		{"one", map[string]string{"API_KEY": "sk-" + canary}, 1},
		{"300 keys", manyKeys(300, 10), 3},           // 128 + 128 + 44
		{"three of 700 KB", manyKeys(3, 700<<10), 3}, // two would pass 1 MiB
		{"empty value", map[string]string{"EMPTY": ""}, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in, err := json.Marshal(tc.secrets)
			if err != nil {
				t.Fatal(err)
			}
			prefix := "/seed/" + strings.ReplaceAll(tc.name, " ", "-") + "/"
			var stderr bytes.Buffer
			if code := run([]string{"-endpoints", s.HostPort, "-prefix", strings.Trim(prefix, "/")}, bytes.NewReader(in), &stderr); code != 0 {
				t.Fatalf("seed: exit status %d; stderr:\n%s", code, stderr.String())
			}
			if want := fmt.Sprintf("seed: put %d keys under %s\n", len(tc.secrets), prefix); stderr.String() != want {
				t.Errorf("stderr = %q, want %q", stderr.String(), want)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			resp, err := c.Get(ctx, prefix, clientv3.WithPrefix())
			if err != nil {
				t.Fatal(err)
			}
			if len(resp.Kvs) != len(tc.secrets) {
				t.Errorf("%d keys under %s, want %d", len(resp.Kvs), prefix, len(tc.secrets))
			}
			revisions := map[int64]bool{}
			for _, kv := range resp.Kvs {
				key := strings.TrimPrefix(string(kv.Key), prefix)
				if want, ok := tc.secrets[key]; !ok || string(kv.Value) != want {
					t.Errorf("%s: not the value of the secret %q", kv.Key, key)
				}
				revisions[kv.ModRevision] = true
			}
			if len(revisions) != tc.txns {
				t.Errorf("the keys were put in %d transactions, want %d", len(revisions), tc.txns)
			}
		})
	}
}

// manyKeys returns n secrets K000... with values of size bytes.
func manyKeys(n, size int) map[string]string {
	m := make(map[string]string, n)
	for i := range n {
		m[fmt.Sprintf("K%03d", i)] = strings.Repeat(string(rune('a'+i%26)), size)
	}
	return m
}
