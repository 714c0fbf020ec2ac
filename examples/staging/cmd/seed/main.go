// Command seed fills etcd from a developer's store: it reads the output of
// `user-secrets export --format json` on standard input and puts each
// secret KEY at the etcd key /PREFIX/KEY, where the staging program
// (SECRETS_SOURCE=etcd://HOST:PORT/PREFIX) reads it:
//
//	user-secrets export --format json | go run ./cmd/seed -endpoints 127.0.0.1:2379 -prefix /myapp/staging
//
// It puts the keys in as few transactions as etcd's default limits allow
// (128 operations, and here at most 1 MiB of keys and values, each), so a
// program watching the prefix sees the keys change together. It only puts:
// a key under the prefix that the store no longer holds stays in etcd
// (`etcdctl del --prefix /myapp/staging/` first, to start over).
//
// It prints how many keys it put on standard error, and never a value:
// errors name the key. Exit status 0 on success, 1 on failure, 2 for a
// usage error.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"maps"
	"os"
	"slices"
	"strings"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/go-user-secrets/user-secrets/examples/staging/internal/etcdkey"
)

// Transactions stay within etcd's default --max-txn-ops and, with room to
// spare, its --max-request-bytes (1.5 MiB).
const (
	maxTxnOps   = 128
	maxTxnBytes = 1 << 20
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stderr))
}

// run is the command; it returns the exit status.
func run(args []string, stdin io.Reader, stderr io.Writer) int {
	logf := log.New(stderr, "seed: ", 0).Printf
	fl := flag.NewFlagSet("seed", flag.ContinueOnError)
	fl.SetOutput(stderr)
	endpoints := fl.String("endpoints", "127.0.0.1:2379", "etcd `endpoints`, HOST:PORT separated by commas")
	prefix := fl.String("prefix", "", "key `prefix`: each secret KEY is put at /PREFIX/KEY (required)")
	if err := fl.Parse(args); err != nil {
		return 2
	}
	if fl.NArg() > 0 {
		logf("error: no arguments are taken: the secrets come on standard input")
		return 2
	}
	p := etcdkey.Prefix(*prefix)
	if p == "/" {
		logf("error: -prefix is required")
		return 2
	}

	secrets, err := readExport(stdin)
	if err != nil {
		logf("error: %v", err)
		return 1
	}
	c, err := clientv3.New(clientv3.Config{Endpoints: strings.Split(*endpoints, ","), DialTimeout: 5 * time.Second})
	if err != nil {
		logf("error: %v", err)
		return 1
	}
	defer c.Close()
	if err := put(c, p, secrets); err != nil {
		logf("error: %v", err)
		return 1
	}
	logf("put %d keys under %s", len(secrets), p)
	return 0
}

// readExport reads one JSON object of string values, as `user-secrets
// export --format json` writes it. Its errors name a key at most: json's
// own can quote a character of the input, a secret's maybe.
func readExport(r io.Reader) (map[string]string, error) {
	const want = "want the output of user-secrets export --format json"
	dec := json.NewDecoder(r)
	var raw map[string]json.RawMessage
	err := dec.Decode(&raw)
	if err == nil {
		if _, next := dec.Token(); next != io.EOF {
			return nil, fmt.Errorf("standard input holds more than one JSON value: %s", want)
		}
	}
	var syntax *json.SyntaxError
	switch {
	case err == nil:
	case errors.As(err, &syntax):
		return nil, fmt.Errorf("standard input is not JSON (at byte %d): %s", syntax.Offset, want)
	case errors.Is(err, io.EOF):
		return nil, fmt.Errorf("standard input is empty: %s", want)
	default:
		return nil, fmt.Errorf("standard input is not a JSON object: %s", want)
	}
	if raw == nil {
		return nil, fmt.Errorf("standard input is null: %s", want)
	}
	secrets := make(map[string]string, len(raw))
	for _, k := range slices.Sorted(maps.Keys(raw)) {
		if k == "" {
			return nil, errors.New("standard input holds an empty key")
		}
		var v string
		if err := json.Unmarshal(raw[k], &v); err != nil {
			return nil, fmt.Errorf("standard input: the value of %q is not a string: %s", k, want)
		}
		secrets[k] = v
	}
	return secrets, nil
}

// put puts each secret at prefix+KEY, in as few transactions as the limits
// above allow.
func put(kv clientv3.KV, prefix string, secrets map[string]string) error {
	keys := slices.Sorted(maps.Keys(secrets))
	for len(keys) > 0 {
		n, size := 0, 0
		for n < len(keys) && n < maxTxnOps {
			size += len(prefix) + len(keys[n]) + len(secrets[keys[n]])
			if n > 0 && size > maxTxnBytes {
				break
			}
			n++
		}
		ops := make([]clientv3.Op, n)
		for i, k := range keys[:n] {
			ops[i] = clientv3.OpPut(prefix+k, secrets[k])
		}
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		_, err := kv.Txn(ctx).Then(ops...).Commit()
		cancel()
		if err != nil {
			if n == 1 {
				return fmt.Errorf("put %q: %w", prefix+keys[0], err)
			}
			return fmt.Errorf("put %d keys from %q to %q: %w", n, prefix+keys[0], prefix+keys[n-1], err)
		}
		keys = keys[n:]
	}
	return nil
}
