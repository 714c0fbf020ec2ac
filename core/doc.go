// Package core keeps a Go project's local-development secrets outside the
// project tree, in the store python-env-secrets uses, and reads and writes
// them safely.
//
// # Layout
//
// The project's .env holds only USER_SECRETS_ID=<uuid>. The secrets live in
// <root>/<uuid>/.secrets (directory 0700, file 0600), where the root is
// $USER_SECRETS_DIR, else %APPDATA%\Python\UserSecrets on Windows, else
// $HOME/.python/usersecrets (see StoreRoot). Resolve finds the ID: an
// explicit Options.ID, then $USER_SECRETS_ID, then the nearest .env that
// defines it (or only Options.ProjectDir/.env). Init creates one.
//
// # Reading
//
// A file whose first line is "# Python User Secrets" or "# Python Env
// Secrets" was written by python-env-secrets and is read by that tool's own
// line rules, so each value means what that tool meant. Every other file is
// read by this grammar:
//
//   - The text is UTF-8; invalid UTF-8 and NUL bytes are errors. A leading
//     byte-order mark is skipped. LF, CRLF and a lone CR end a line.
//   - Blank lines and lines whose first non-blank character is '#' are
//     comments. ("Blank" means space or tab.)
//   - "export" followed by blanks before the key is dropped.
//   - The key runs to the first '=' and is trimmed of blanks. A line
//     without '=', an empty key, and a key holding a blank, a quote or a
//     control character (most likely a line whose '=' went missing) are
//     errors.
//   - The value follows the '=' and any blanks:
//     'single-quoted' is literal text up to the next ', and may span lines;
//     "double-quoted" runs to the next unescaped " and may span lines, with
//     the escapes \\ \" \n \r \t \$ decoded and any other backslash kept;
//     an unquoted value runs to the end of the line, is cut at a '#' that
//     follows a blank, and is trimmed of blanks.
//   - After a closing quote only blanks and an optional # comment may follow.
//   - Line breaks inside a quoted value are read as "\n".
//   - There is no variable expansion: '$' is always literal.
//   - The last definition of a key wins.
//
// Errors are *ParseError values with the file and line; like every error of
// this package they never contain a secret value.
//
// # Writing
//
// Writes edit the file in place (see Document): a changed key's line is
// rewritten, a new key appended, and every other byte kept. Each value is
// written in the first of KEY=value, KEY='value' and KEY="value" that every
// reader of the compatibility set (this package, godotenv, gotenv,
// python-dotenv, python-env-secrets) reads back exactly; where no form
// suits them all, Set returns a Warning naming the readers that differ.
// Every write takes an exclusive lock, writes a temporary file, syncs it and
// renames it over the secrets file, so concurrent writers lose no update and
// readers never see a partial file.
//
// # Encryption at rest
//
// A store can be encrypted (Store.Encrypt, Decrypt and Rekey): the file
// stays a dotenv file of this grammar, its keys stay readable (Store.List
// needs no key), and each value becomes
//
//	enc:v1:<base64url, without padding, of a random 12-byte nonce and the AES-256-GCM ciphertext and tag>
//
// whose associated data is "enc:v1", a NUL byte, the project's ID in lower
// case, a NUL byte and the key, so that a value moved to another key or
// another project's store does not decrypt. The entry
// user-secrets-key-check, a name no key can take, holds a fixed text
// encrypted the same way: it makes the store encrypted (never the
// header, which python-env-secrets rewrites), and a key that decrypts it
// is the store's. That tool reads an encrypted store without an error,
// and hands its programs the encrypted text.
//
// The 32-byte data key (NewKey) comes from $USER_SECRETS_KEY, in
// FormatKey's text form, else from Options.Keys (the OS keychain, through
// package keychain). It is looked up only for a store that is encrypted,
// checked against the key-check entry before any value is read or
// written, and kept by the Store. Reads decrypt and writes encrypt: no
// write puts plain text into an encrypted store or encrypts under another
// key. No key is an error matching ErrNoKey that says what to do; a wrong
// key, a value that does not decrypt, and a value left unencrypted (by
// another tool) are errors naming the file, the line and the key, never a
// value, a key or a ciphertext.
//
// # Tests and go test's cache
//
// Files are read through the os package, so go test records them as inputs
// of a test that reads secrets. go test re-checks only the inputs inside
// the module, though: a test that reads the store in the home directory
// keeps replaying its cached result after the secrets change (a change of
// $USER_SECRETS_ID or $USER_SECRETS_DIR does re-run it). Run such tests
// with -count=1, or point USER_SECRETS_DIR at a store in the module's
// testdata.
package core
