package core

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/go-user-secrets/user-secrets/internal/compat"
)

// Document is a dotenv file held for format-preserving edits:
// setting a key rewrites only that key's line, a new key is appended,
// deleting removes the key's lines, and every other byte is kept.
//
// A Document read from a python-env-secrets file is re-rendered in this
// project's grammar by its first edit (values unchanged, comment lines kept,
// the Python header replaced by Header).
type Document struct {
	p        *parsed
	filename string
	// Header starts a new file, and replaces the Python tool's header when
	// a Python-dialect file is first edited. It should be comment lines,
	// each ending in "\n".
	Header string
	// touched, when not nil, records the keys set (see Store.Update).
	touched map[string]bool
}

// Warning says that a value was stored in a form some readers of the
// compatibility set would read differently. It names the key, never the
// value.
type Warning struct {
	Key string // the key whose value is affected
	// Misread names the readers that would read something else, such as
	// "godotenv" (koanf's dotenv parser) or "gotenv" (Viper's).
	Misread []string
}

// String describes the warning, naming the key and the readers.
func (w Warning) String() string {
	return fmt.Sprintf("%q is stored exactly, but these readers would read a different value: %s", w.Key, strings.Join(w.Misread, ", "))
}

// ParseDocument parses data for editing; errors are as for Parse.
func ParseDocument(data []byte, filename string) (*Document, error) {
	p, err := parse(data, filename)
	if err != nil {
		return nil, err
	}
	return &Document{p: p, filename: filename}, nil
}

// newDocument returns an empty document that starts with header.
func newDocument(header, filename string) *Document {
	return &Document{p: &parsed{src: header}, filename: filename, Header: header}
}

// PythonDialect reports whether the document was read by python-env-secrets'
// rules: its first line is that tool's header. The first edit re-renders it
// in this package's grammar.
func (d *Document) PythonDialect() bool { return d.p.dialect == dialectPython }

// Entries returns the document's entries, one per key, in file order.
func (d *Document) Entries() []Entry { return d.p.entries() }

// Len returns the number of distinct keys.
func (d *Document) Len() int { return len(d.p.entries()) }

// Get returns the value of key and whether it is defined.
func (d *Document) Get(key string) (string, bool) {
	for i := len(d.p.defs) - 1; i >= 0; i-- {
		if d.p.defs[i].Key == key {
			return d.p.defs[i].Value, true
		}
	}
	return "", false
}

// Bytes returns the document's text.
func (d *Document) Bytes() []byte { return []byte(d.p.src) }

// String returns the document's text.
func (d *Document) String() string { return d.p.src }

// Set sets key to value. It returns a *KeyError (ErrInvalidKey or
// ErrInvalidValue) and changes nothing when either is refused.
func (d *Document) Set(key, value string) (*Warning, error) {
	ws, err := d.Update([]Entry{{Key: key, Value: value}}, nil)
	if err != nil || len(ws) == 0 {
		return nil, err
	}
	return &ws[0], nil
}

// Delete removes every definition of keys and reports how many of the keys
// were defined.
func (d *Document) Delete(keys ...string) (int, error) {
	n := 0
	for _, k := range keys {
		if _, ok := d.Get(k); ok {
			n++
		}
	}
	if n == 0 {
		return 0, nil
	}
	_, err := d.Update(nil, keys)
	return n, err
}

// Update applies set (in order; a later entry for the same key wins) and
// then removes the keys in del, in one pass. Every key and value is checked
// first: on a *KeyError nothing is changed. It returns a Warning for each
// set value that some reader of the compatibility set would misread.
func (d *Document) Update(set []Entry, del []string) ([]Warning, error) {
	if err := validateEntries(set); err != nil {
		return nil, err
	}
	return d.apply(set, del)
}

// validateEntries checks every key and value of entries, for a write.
func validateEntries(entries []Entry) error {
	for _, e := range entries {
		if err := ValidateKey(e.Key); err != nil {
			return err
		}
		if err := ValidateValue(e.Key, e.Value); err != nil {
			return err
		}
	}
	return nil
}

// apply is Update for entries already validated. It fails only on a
// python-env-secrets file holding a key this grammar cannot write.
func (d *Document) apply(set []Entry, del []string) ([]Warning, error) {
	var warnings []Warning
	if d.p.dialect == dialectPython {
		var err error
		if warnings, err = d.convertPython(); err != nil {
			return nil, err
		}
	}

	type change struct {
		text    string
		deleted bool
		done    bool
	}
	changes := make(map[string]*change, len(set)+len(del))
	var order []string
	for _, e := range set {
		if d.touched != nil {
			d.touched[e.Key] = true
		}
		text, mis := compat.FormatValue(e.Value)
		c, ok := changes[e.Key]
		if !ok {
			c = &change{}
			changes[e.Key] = c
			order = append(order, e.Key)
		}
		c.text = text
		warnings = dropWarning(warnings, e.Key)
		if mis != 0 {
			warnings = append(warnings, Warning{Key: e.Key, Misread: mis.Names()})
		}
	}
	for _, k := range del {
		if c, ok := changes[k]; ok {
			c.deleted = true
		} else {
			changes[k] = &change{deleted: true}
		}
		warnings = dropWarning(warnings, k)
	}

	src := d.p.src
	last := make(map[string]int, len(changes))
	for i, def := range d.p.defs {
		if _, ok := changes[def.Key]; ok {
			last[def.Key] = i
		}
	}
	var b strings.Builder
	b.Grow(len(src) + 64*len(set))
	pos := 0
	for i, def := range d.p.defs {
		c, ok := changes[def.Key]
		if !ok {
			continue
		}
		b.WriteString(src[pos:def.start])
		pos = def.end
		if c.deleted || last[def.Key] != i {
			continue
		}
		b.WriteString(def.Key + "=" + c.text)
		b.WriteString(terminator(src, def.end))
		c.done = true
	}
	b.WriteString(src[pos:])
	nl := newlineStyle(src)
	for _, k := range order {
		c := changes[k]
		if c.done || c.deleted {
			continue
		}
		if s := b.String(); s != "" && !strings.HasSuffix(s, "\n") && !strings.HasSuffix(s, "\r") {
			b.WriteString(nl)
		}
		b.WriteString(k + "=" + c.text + nl)
	}
	out := b.String()
	if t := strings.TrimPrefix(out, "\ufeff"); strings.HasPrefix(t, "# Python ") && detectDialect([]byte(t[:min(len(t), 64)])) == dialectPython {
		// Removing the first line left a python-env-secrets header first,
		// which would switch the file to that tool's rules and change what
		// other values mean: keep the header off the first line.
		out = out[:len(out)-len(t)] + "#" + nl + t
	}
	p, err := parseGo(out, d.filename)
	if err != nil {
		// Only a bug in compat.FormatValue or in the splicing can get here.
		return nil, fmt.Errorf("internal error: edited %s does not parse: %w", d.filename, err)
	}
	d.p = p
	return warnings, nil
}

func dropWarning(ws []Warning, key string) []Warning {
	for i, w := range ws {
		if w.Key == key {
			return append(ws[:i], ws[i+1:]...)
		}
	}
	return ws
}

// terminator returns the line terminator that ends at end (the end of a
// definition's span), or "" when the span ends the file without one.
func terminator(src string, end int) string {
	switch {
	case end >= 2 && src[end-2:end] == "\r\n":
		return "\r\n"
	case end >= 1 && (src[end-1] == '\n' || src[end-1] == '\r'):
		return src[end-1 : end]
	}
	return ""
}

// newlineStyle returns the file's first line terminator, or "\n".
func newlineStyle(src string) string {
	if i := strings.IndexAny(src, "\r\n"); i >= 0 {
		if src[i] == '\r' {
			if i+1 < len(src) && src[i+1] == '\n' {
				return "\r\n"
			}
			return "\r"
		}
	}
	return "\n"
}

// convertPython re-renders a python-env-secrets file in this project's
// grammar: the first (header) line becomes d.Header, other comment and
// blank lines are kept, each key is written once where its last definition
// stood, and lines the Python tool skips (no '=') are kept as comments. It
// returns a Warning for each re-rendered value that some reader of the
// compatibility set reads differently in its new form.
func (d *Document) convertPython() ([]Warning, error) {
	var warnings []Warning
	src := d.p.src
	last := make(map[string]int, len(d.p.defs))
	for i, def := range d.p.defs {
		last[def.Key] = i
	}
	nl := newlineStyle(src)
	var b strings.Builder
	b.WriteString(strings.ReplaceAll(d.Header, "\n", nl))
	pos, line, di := 0, 1, 0
	for pos < len(src) {
		eol, next := lineEnd(src, pos)
		text := src[pos:eol]
		term := src[eol:next]
		if term == "" {
			term = nl
		}
		switch {
		case line == 1:
			// the Python header, replaced by d.Header
		case di < len(d.p.defs) && d.p.defs[di].start == pos:
			def := d.p.defs[di]
			if last[def.Key] == di {
				if !readsBackAsKey(def.Key) {
					return nil, &KeyError{Key: shorten(def.Key), Err: ErrInvalidKey,
						Reason: fmt.Sprintf("%s:%d: this key from a python-env-secrets file cannot be written in this project's grammar", d.filename, def.Line)}
				}
				text, mis := compat.FormatValue(def.Value)
				if mis != 0 {
					warnings = append(warnings, Warning{Key: def.Key, Misread: mis.Names()})
				}
				b.WriteString(def.Key + "=" + text + term)
			}
			di++
		default:
			// A line the Python tool skips stays a comment or blank line.
			// Python white space this grammar does not count as blank
			// (\v, \f, \x1c-\x1f, U+00A0, …) is dropped from blank lines
			// and from before a comment's '#'.
			g := trimLeftBlank(text)
			t := strings.TrimLeftFunc(text, compat.IsPySpace)
			switch {
			case g == "" || g[0] == '#':
				b.WriteString(text + term)
			case strings.TrimFunc(t, compat.IsPySpace) == "":
				b.WriteString(term)
			case t[0] == '#':
				b.WriteString(t + term)
			default:
				b.WriteString("# " + text + term)
			}
		}
		pos, line = next, line+1
	}
	p, err := parseGo(b.String(), d.filename)
	if err != nil {
		return nil, fmt.Errorf("internal error: converted %s does not parse: %w", d.filename, err)
	}
	d.p = p
	return warnings, nil
}

// readsBackAsKey reports whether "key=" is read by this package's grammar as
// a definition of exactly key.
func readsBackAsKey(key string) bool {
	if key == "" || strings.ContainsAny(key, "=\r\n") || key[0] == '#' || badKeyByte(key) != "" {
		return false
	}
	return !(len(key) > 6 && strings.HasPrefix(key, "export") && isBlank(key[6]))
}

// ValidateKey checks that key is of the form [A-Za-z_][A-Za-z0-9_.]*, the
// keys every reader of the compatibility set and a shell accept. It returns
// a *KeyError matching ErrInvalidKey.
func ValidateKey(key string) error {
	reason := ""
	switch {
	case key == "":
		reason = "a key cannot be empty"
	case key[0] >= '0' && key[0] <= '9':
		reason = "a key cannot start with a digit"
	default:
		for i := 0; i < len(key); i++ {
			c := key[i]
			if !(c == '_' || c == '.' && i > 0 || 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9') {
				r, _ := utf8.DecodeRuneInString(key[i:])
				reason = fmt.Sprintf("%q is not allowed: use letters, digits, '_' and '.' (koanf's dotenv parser rejects the whole file over one such key, and a shell cannot export it)", r)
				break
			}
		}
	}
	if reason == "" {
		return nil
	}
	return &KeyError{Key: shorten(key), Err: ErrInvalidKey, Reason: reason}
}

// ValidateValue checks that a value can be stored: valid UTF-8 without NUL
// bytes. It returns a *KeyError matching ErrInvalidValue that names key.
func ValidateValue(key, value string) error {
	switch {
	case !utf8.ValidString(value):
		return &KeyError{Key: shorten(key), Err: ErrInvalidValue, Reason: "not valid UTF-8"}
	case strings.IndexByte(value, 0) >= 0:
		return &KeyError{Key: shorten(key), Err: ErrInvalidValue, Reason: "contains a NUL byte"}
	}
	return nil
}
