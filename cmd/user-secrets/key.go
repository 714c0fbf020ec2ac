package main

import (
	"errors"
	"fmt"
	"io"

	"github.com/go-user-secrets/user-secrets/core"
	"github.com/spf13/cobra"
)

// KeyOptions are the inputs of `key export`, `key import` and `key rotate`.
type KeyOptions struct {
	F *Factory
}

func newCmdKey(f *Factory, runExport, runImport, runRotate func(*KeyOptions) error) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "key <command>",
		Short: "Export, import or rotate the key of an encrypted secrets file",
		Long: `The key of an encrypted secrets file (see 'user-secrets encrypt') lives in
the OS keychain. These commands copy it out (key export), put it in this
machine's keychain (key import), and replace it (key rotate).

The key's text form, "usk1:" and 43 characters, is also what
USER_SECRETS_KEY takes, for CI and machines without a keychain.`,
		Example: `  user-secrets key export > /media/usb/myapp.key
  user-secrets key import < /media/usb/myapp.key
  user-secrets key rotate`,
		// Only the three commands: anything else is a usage error that
		// does not quote it (it may be a key typed in the wrong place).
		RunE: func(cmd *cobra.Command, a []string) error {
			if len(a) == 0 {
				return cmd.Help()
			}
			return &usageError{errors.New("unknown key command: want export, import or rotate")}
		},
	}
	opts := &KeyOptions{F: f}
	sub := func(c *cobra.Command, runF, def func(*KeyOptions) error) *cobra.Command {
		c.Args = args(noArgs)
		c.RunE = func(*cobra.Command, []string) error {
			if runF != nil {
				return runF(opts)
			}
			return def(opts)
		}
		return c
	}
	cmd.AddCommand(
		sub(&cobra.Command{
			Use:   "export",
			Short: "Print the key of the encrypted secrets file",
			Long: `Print the store's key on stdout, in the text form USER_SECRETS_KEY and
'key import' take, for another machine or a backup. Anyone with the key and
a copy of the secrets file reads every secret: keep it as you keep the
secrets. The key comes from USER_SECRETS_KEY when it is set, else from the
keychain, and is checked against the file before it is printed.`,
			Example: `  user-secrets key export > /media/backup/myapp.key
  user-secrets key export | ssh other-machine user-secrets -p src/myapp key import`,
		}, runExport, runKeyExport),
		sub(&cobra.Command{
			Use:   "import",
			Short: "Store the key of the encrypted secrets file in this machine's keychain",
			Long: `Read a key from stdin (a pipe), or at a hidden prompt on a terminal, check
that it opens the store's secrets file, and store it in the OS keychain.
The key is never taken from the command line, where the shell's history and
other processes would see it.`,
			Example: `  user-secrets key import < /media/backup/myapp.key
  user-secrets key import    # asks for the key`,
		}, runImport, runKeyImport),
		sub(&cobra.Command{
			Use:   "rotate",
			Short: "Re-encrypt every value under a new key",
			Long: `Make a new key, re-encrypt every value of the secrets file under it in one
locked write, and store it in the OS keychain in place of the old one.
Copies of the old key (an earlier 'key export', USER_SECRETS_KEY in CI) no
longer open the file: give them the new one. rotate refuses to run while
USER_SECRETS_KEY is set.`,
			Example: `  user-secrets key rotate`,
		}, runRotate, runKeyRotate),
	)
	return cmd
}

func runKeyExport(opts *KeyOptions) error {
	f := opts.F
	s, err := f.Store()
	if err != nil {
		return err
	}
	key, err := s.Key()
	if err != nil {
		return err
	}
	if _, err := fmt.Fprintln(f.IO.Out, core.FormatKey(key)); err != nil {
		return err
	}
	f.IO.Warnf("this key opens every value of %s: keep it as you keep the secrets", s.Path())
	return nil
}

// maxKeyInput is how much of stdin `key import` reads: a key is 48 bytes.
const maxKeyInput = 4096

func runKeyImport(opts *KeyOptions) error {
	f := opts.F
	s, encrypted, err := f.openEncrypted()
	if err != nil {
		return err
	}
	// A store that is not encrypted has nothing to check the key with.
	if !encrypted {
		return fmt.Errorf("%s is not encrypted: it has no key to import", s.Path())
	}
	text, err := readKey(f.IO)
	if err != nil {
		return err
	}
	key, err := core.ParseKey(text)
	if err != nil {
		return err
	}
	if err := s.CheckKey(key); err != nil {
		return err
	}
	if err := f.KeyStore().SetKey(storeKeyID(s), key); err != nil {
		return err
	}
	f.IO.Infof("Stored the key of %s in the OS keychain.", s.Path())
	if f.keyInEnv() {
		f.IO.Hintf("$%s is set, and is used before the keychain", core.EnvKey)
	}
	return nil
}

// readKey reads a key's text from stdin: at a hidden prompt on a
// terminal, else the whole input.
func readKey(ios *IOStreams) (string, error) {
	if ios.InIsTerminal() {
		return askHidden(ios, "Key: ", "the key")
	}
	b, err := io.ReadAll(io.LimitReader(ios.In, maxKeyInput+1))
	switch {
	case err != nil:
		return "", fmt.Errorf("read the key from standard input: %w", err)
	case len(b) == 0:
		return "", errors.New("no key on standard input: pipe one in (user-secrets key import < FILE), or run key import at a terminal to be asked for it")
	case len(b) > maxKeyInput:
		return "", errors.New("standard input holds more than a key")
	}
	return string(b), nil
}

func runKeyRotate(opts *KeyOptions) error {
	f := opts.F
	if err := refuseEnvKey(f, "key rotate"); err != nil {
		return err
	}
	s, err := f.Store()
	if err != nil {
		return err
	}
	key, err := core.NewKey()
	if err != nil {
		return err
	}
	keys, id := f.KeyStore(), storeKeyID(s)
	var old []byte // the key the file needs until the write lands
	err = s.Rekey(key, func() error {
		// Under the store's lock, once the new file is ready: the key
		// goes to the keychain before the file that needs it. The old
		// key is read here, so that a concurrent rotate cannot make it
		// stale.
		cur, err := s.Key()
		if err != nil {
			return err
		}
		if err := keys.SetKey(id, key); err != nil {
			return err
		}
		old = cur
		return nil
	})
	if err != nil && old != nil {
		if s.CheckKey(key) == nil {
			// The file was replaced, and only what came after failed
			// (syncing its directory): it needs the new key, which the
			// keychain has.
			return err
		}
		return restoreKey(f, keys, id, old, err)
	}
	if err != nil {
		return fmt.Errorf("the key is unchanged: %w", err)
	}
	n, err := countSecrets(s)
	if err != nil {
		return err
	}
	f.IO.Infof("Re-encrypted %d secret(s) in %s under a new key, now in the OS keychain.", n, s.Path())
	f.IO.Warnf("copies of the old key (an earlier key export, %s elsewhere) no longer open the file: give them the new one", core.EnvKey)
	return nil
}

// restoreKey puts old, the key the secrets file still needs, back in the
// keychain after rotate's write failed with err once the new key was
// stored. If the keychain does not take it either, old is printed on
// stdout, as key export prints a key, so that it is not lost.
func restoreKey(f *Factory, keys keyStore, id string, old []byte, err error) error {
	perr := keys.SetKey(id, old)
	if perr == nil {
		return fmt.Errorf("the key is unchanged: %w", err)
	}
	if _, werr := fmt.Fprintln(f.IO.Out, core.FormatKey(old)); werr != nil {
		return fmt.Errorf("%w; and putting the old key back in the keychain failed (%v), and so did printing it: the file's key is lost", err, perr)
	}
	return fmt.Errorf("%w; and putting the old key back in the keychain failed, so the keychain's key does not open the file: %v: "+
		"the file's key is the one printed on standard output: store it with `user-secrets key import`", err, perr)
}
