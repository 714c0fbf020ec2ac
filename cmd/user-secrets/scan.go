package main

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/go-user-secrets/user-secrets/core"
	"github.com/go-user-secrets/user-secrets/internal/envid"
	"github.com/go-user-secrets/user-secrets/internal/fsutil"
	"github.com/spf13/cobra"
)

// ScanOptions are the inputs of `scan`.
type ScanOptions struct {
	F *Factory
	// Dir is the tree to scan; "" means the project directory.
	Dir string
}

// Limits of what scan reads.
const (
	scanMaxSize     = 10 << 20 // bigger files are skipped
	scanSniffSize   = 8 << 10  // a NUL byte in this prefix marks a binary file
	scanMinValueLen = 8        // shorter values are not searched (in characters)
)

// secretWords mark a .env key that looks like it holds a secret.
var secretWords = []string{"KEY", "SECRET", "TOKEN", "PASSWORD"}

func newCmdScan(f *Factory, runF func(*ScanOptions) error) *cobra.Command {
	opts := &ScanOptions{F: f}
	return &cobra.Command{
		Use:   "scan [DIR]",
		Short: "Look for stored secret values in the project tree",
		Long: `Look through DIR (default: the project directory) for the values of the
project's secrets, and print "path:line: KEY" for each place one appears;
the value itself is never printed. Exit status 1 when anything is found, so
scan can serve as a pre-commit hook.

Values shorter than 8 characters are not searched; a value of several lines
is searched by its longest line. Directories named .git, the secrets store,
symbolic links, files over 10 MiB and binary files (a NUL byte in the first
8 KiB) are skipped.

scan also warns about keys in the project's .env whose names look like
secrets (containing KEY, SECRET, TOKEN or PASSWORD) and suggests moving them
into the store with 'user-secrets import --move'. These warnings do not
change the exit status.`,
		Example: `  user-secrets scan
  user-secrets scan ./deploy
  # .git/hooks/pre-commit
  exec user-secrets scan`,
		Args: args(cobra.MaximumNArgs(1)),
		RunE: func(cmd *cobra.Command, a []string) error {
			if len(a) == 1 {
				opts.Dir = a[0]
			}
			if runF != nil {
				return runF(opts)
			}
			return runScan(opts)
		},
	}
}

func runScan(opts *ScanOptions) error {
	ios := opts.F.IO
	s, err := opts.F.Store()
	if err != nil {
		return err
	}
	p := s.Project()
	dir := opts.Dir
	if dir == "" {
		dir = p.Dir
	}
	if dir, err = filepath.Abs(dir); err != nil {
		return err
	}
	if fi, err := os.Stat(dir); err != nil {
		return err
	} else if !fi.IsDir() {
		return fmt.Errorf("%s is not a directory", dir)
	}
	entries, err := s.All()
	if err != nil {
		return err
	}

	sc := &scanner{needles: newNeedles(entries)}
	if fi, err := os.Stat(p.Root); err == nil {
		sc.skipDirs = append(sc.skipDirs, fi) // every project's secrets live here
	}
	res := &scanResult{}
	if len(sc.needles) > 0 {
		if res, err = sc.scan(dir); err != nil {
			return err
		}
	}
	for _, e := range res.errs {
		ios.Warnf("%v", e)
	}
	var b bytes.Buffer
	for _, h := range res.hits {
		fmt.Fprintf(&b, "%s:%d: %s\n", h.path, h.line, h.key)
	}
	if _, err := ios.Out.Write(b.Bytes()); err != nil {
		return err
	}

	warnSecretLookingKeys(ios, p.EnvFile)

	skipped := ""
	if res.binary+res.large > 0 {
		skipped = fmt.Sprintf("; skipped %d binary and %d large", res.binary, res.large)
	}
	if len(sc.needles) == 0 {
		ios.Infof("No stored values of %d or more characters to look for.", scanMinValueLen)
		return nil
	}
	if len(res.hits) == 0 {
		ios.Infof("No stored values found (%d file(s) scanned%s).", res.files, skipped)
		return nil
	}
	return fmt.Errorf("stored secret values found in %d place(s) (%d file(s) scanned%s)", len(res.hits), res.files, skipped)
}

// warnSecretLookingKeys names the keys of the .env at path that look like
// secrets (never their values), and suggests moving them into the store.
func warnSecretLookingKeys(ios *IOStreams, path string) {
	data, _, err := fsutil.ReadRegular(path)
	if err != nil {
		return // no .env, or not one to read (a FIFO, a virtualenv): nothing to say
	}
	keys := secretLookingKeys(data)
	if len(keys) == 0 {
		return
	}
	names := make([]string, len(keys))
	for i, k := range keys {
		names[i] = k.key
		ios.Warnf("%s:%d: %q looks like a secret", path, k.line, k.key)
	}
	cmd := "user-secrets import --move --keys " + strings.Join(names, ",")
	if wd, err := os.Getwd(); err != nil || filepath.Join(wd, ".env") != path {
		cmd += " " + shellQuoteIfNeeded(path)
	}
	ios.Hintf("move them into the store: %s", cmd)
}

type lineKey struct {
	line int
	key  string
}

// secretLookingKeys returns the keys, with non-empty values, of a .env file
// whose names contain one of secretWords (case-insensitively), except
// USER_SECRETS_ID, each with the line of its last definition, in the order
// of those lines. Only a valid key (core.ValidateKey) is returned: that is
// all the caller prints.
//
// The file is read by envid.Lines alone, the tolerant reader the ID lookup
// uses; core.Parse is not tried first. On a file core.Parse reads, envid
// finds the same definitions (quoted values span lines by the same rules,
// so the lines inside one are never taken for definitions), with values
// empty exactly when core's are: no escape decodes to nothing. (envid trims
// all white space, core only blanks; core refuses a file with, say, a
// no-break space beside a key, and envid reads it.) A file core.Parse
// rejects needs the tolerant reader anyway. A quote that is never closed
// makes envid read the lines after it as definitions: text from inside
// that value may then be named if it is a valid key, never a value.
func secretLookingKeys(data []byte) []lineKey {
	defs := envid.Lines(data)
	last := make(map[string]int, len(defs)) // key -> index in defs of its last definition
	for i, d := range defs {
		last[d.Key] = i
	}
	var out []lineKey
	for i, d := range defs {
		if last[d.Key] != i || d.Value == "" || d.Key == core.EnvID || !looksSecret(d.Key) || core.ValidateKey(d.Key) != nil {
			continue
		}
		out = append(out, lineKey{line: d.Line, key: d.Key})
	}
	return out
}

func looksSecret(key string) bool {
	up := strings.ToUpper(key)
	for _, w := range secretWords {
		if strings.Contains(up, w) {
			return true
		}
	}
	return false
}

// shellQuoteIfNeeded quotes a path for a command line only when it needs it.
func shellQuoteIfNeeded(s string) string {
	for _, c := range s {
		if !(c == '/' || c == '.' || c == '-' || c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9') {
			return shellQuote(s)
		}
	}
	return s
}

// needle is a text to look for, and the keys whose values it comes from.
type needle struct {
	text []byte
	keys []string
}

// newNeedles returns what to search for: each value of at least
// scanMinValueLen characters, or, for a value of several lines, its
// longest line. Keys with the same text share one needle.
func newNeedles(entries []core.Entry) []needle {
	var out []needle
	index := map[string]int{}
	for _, e := range entries {
		t := e.Value
		if strings.ContainsAny(t, "\r\n") {
			t = longestLine(t)
		}
		if utf8.RuneCountInString(t) < scanMinValueLen {
			continue
		}
		if i, ok := index[t]; ok {
			out[i].keys = append(out[i].keys, e.Key)
			continue
		}
		index[t] = len(out)
		out = append(out, needle{text: []byte(t), keys: []string{e.Key}})
	}
	return out
}

func longestLine(s string) string {
	best := ""
	for _, l := range strings.FieldsFunc(s, func(r rune) bool { return r == '\n' || r == '\r' }) {
		if len(l) > len(best) {
			best = l
		}
	}
	return best
}

// scanner looks for needles in the files of a tree.
type scanner struct {
	needles  []needle
	skipDirs []fs.FileInfo // directories not to enter (compared with os.SameFile)
	workers  int           // 0 means GOMAXPROCS
}

// hit is one place a needle was found: path (relative to the scanned
// directory, with forward slashes), 1-based line, and key.
type hit struct {
	path string
	line int
	key  string
}

type scanResult struct {
	hits          []hit
	files         int     // files read
	binary, large int     // files skipped
	errs          []error // files or directories that could not be read
}

// scan walks dir and searches every regular file. Problems with single
// files are collected in errs; only a failure to read dir itself is an
// error.
func (sc *scanner) scan(dir string) (*scanResult, error) {
	res := &scanResult{}
	var mu sync.Mutex
	paths := make(chan string, 256)
	workers := sc.workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			var buf []byte
			for path := range paths {
				var r fileResult
				buf, r = sc.scanFile(path, buf)
				mu.Lock()
				res.add(dir, path, r)
				mu.Unlock()
			}
		})
	}
	walkErr := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			if path == dir {
				return err
			}
			mu.Lock()
			res.errs = append(res.errs, err)
			mu.Unlock()
			return nil
		}
		if d.IsDir() {
			if d.Name() == ".git" || sc.skipDir(d) {
				return filepath.SkipDir
			}
			return nil
		}
		if d.Type().IsRegular() {
			paths <- path
		}
		return nil
	})
	close(paths)
	wg.Wait()
	if walkErr != nil {
		return nil, walkErr
	}
	slices.SortFunc(res.hits, func(a, b hit) int {
		return cmp.Or(cmp.Compare(a.path, b.path), cmp.Compare(a.line, b.line), cmp.Compare(a.key, b.key))
	})
	return res, nil
}

func (sc *scanner) skipDir(d fs.DirEntry) bool {
	if len(sc.skipDirs) == 0 {
		return false
	}
	fi, err := d.Info()
	if err != nil {
		return false
	}
	for _, s := range sc.skipDirs {
		if os.SameFile(fi, s) {
			return true
		}
	}
	return false
}

func (res *scanResult) add(dir, path string, r fileResult) {
	switch {
	case r.err != nil:
		res.errs = append(res.errs, r.err)
		return
	case r.binary:
		res.binary++
		return
	case r.large:
		res.large++
		return
	}
	res.files++
	if len(r.hits) == 0 {
		return
	}
	rel, err := filepath.Rel(dir, path)
	if err != nil {
		rel = path
	}
	rel = filepath.ToSlash(rel)
	for _, h := range r.hits {
		res.hits = append(res.hits, hit{path: rel, line: h.line, key: h.key})
	}
}

type fileResult struct {
	hits          []lineKey
	binary, large bool
	err           error
}

// scanFile reads the file at path into buf (grown as needed, and returned
// for reuse) and searches it.
func (sc *scanner) scanFile(path string, buf []byte) ([]byte, fileResult) {
	f, err := os.Open(path)
	if err != nil {
		return buf, fileResult{err: err}
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return buf, fileResult{err: err}
	}
	size := fi.Size()
	if size > scanMaxSize {
		return buf, fileResult{large: true}
	}
	if int64(cap(buf)) < size {
		buf = make([]byte, size)
	}
	data := buf[:size]
	sniff := min(len(data), scanSniffSize)
	n, err := io.ReadFull(f, data[:sniff])
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return buf, fileResult{err: err}
	}
	if bytes.IndexByte(data[:n], 0) >= 0 {
		return buf, fileResult{binary: true}
	}
	if n == sniff {
		m, err := io.ReadFull(f, data[sniff:])
		if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
			return buf, fileResult{err: err}
		}
		n += m
	}
	return buf, fileResult{hits: sc.search(data[:n])}
}

// search returns the lines of data on which each needle occurs, one hit
// per line and key.
func (sc *scanner) search(data []byte) []lineKey {
	var hits []lineKey
	for _, nd := range sc.needles {
		// line is the number of the line that starts at or before counted.
		line, counted, reported := 1, 0, 0
		for off := 0; ; {
			i := bytes.Index(data[off:], nd.text)
			if i < 0 {
				break
			}
			pos := off + i
			line += bytes.Count(data[counted:pos], []byte{'\n'})
			counted = pos
			if line != reported {
				for _, k := range nd.keys {
					hits = append(hits, lineKey{line: line, key: k})
				}
				reported = line
			}
			off = pos + len(nd.text)
		}
	}
	return hits
}
