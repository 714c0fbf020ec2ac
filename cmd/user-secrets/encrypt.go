package main

import (
	"errors"
	"fmt"

	"github.com/go-user-secrets/user-secrets/core"
	"github.com/go-user-secrets/user-secrets/keychain"
	"github.com/spf13/cobra"
)

// EncryptOptions are the inputs of `encrypt` and `decrypt`.
type EncryptOptions struct {
	F *Factory
}

func newCmdEncrypt(f *Factory, runF func(*EncryptOptions) error) *cobra.Command {
	opts := &EncryptOptions{F: f}
	return &cobra.Command{
		Use:   "encrypt",
		Short: "Encrypt the secrets' values, with a new key kept in the OS keychain",
		Long: `Encrypt every value of the project's secrets file, so that a copy of the
file (a backup, a synced folder, a disk image) reveals no secret.

encrypt makes a new random key, stores it in the OS keychain (the macOS
Keychain, the Windows Credential Manager, the Secret Service on Linux) under
the service "user-secrets" and the project's ID, and rewrites the file in
one locked write: the keys stay readable, each value becomes an
authenticated ciphertext. Every other command goes on working as before,
taking the key from the keychain; list --keys, check, info and projects
need no key at all. On a machine without a keychain (CI), set
USER_SECRETS_KEY to the key that 'user-secrets key export' prints.

Losing the key loses the values: keep a copy with 'user-secrets key export'.
python-env-secrets still reads the file, and hands its services the
encrypted strings instead of the values.

encrypt refuses to run while USER_SECRETS_KEY is set, since that variable's
key, not the new one, would then be used. An encrypted file is left as it
is. 'user-secrets decrypt' turns the file back into plain text.`,
		Example: `  user-secrets encrypt
  user-secrets key export > /media/backup/myapp.key    # keep the key somewhere safe`,
		Args: args(noArgs),
		RunE: func(cmd *cobra.Command, a []string) error {
			if runF != nil {
				return runF(opts)
			}
			return runEncrypt(opts)
		},
	}
}

func newCmdDecrypt(f *Factory, runF func(*EncryptOptions) error) *cobra.Command {
	opts := &EncryptOptions{F: f}
	return &cobra.Command{
		Use:   "decrypt",
		Short: "Turn an encrypted secrets file back into plain text, and remove its key",
		Long: `Decrypt every value of the project's secrets file in one locked write, then
remove the store's key from the OS keychain. The key comes from
USER_SECRETS_KEY when it is set, else from the keychain. A file that is not
encrypted is left as it is.`,
		Example: `  user-secrets decrypt`,
		Args:    args(noArgs),
		RunE: func(cmd *cobra.Command, a []string) error {
			if runF != nil {
				return runF(opts)
			}
			return runDecrypt(opts)
		},
	}
}

func runEncrypt(opts *EncryptOptions) error {
	f := opts.F
	if err := refuseEnvKey(f, "encrypt"); err != nil {
		return err
	}
	s, encrypted, err := f.openEncrypted()
	if err != nil {
		return err
	}
	if encrypted {
		f.IO.Infof("%s is encrypted already: nothing changed.", s.Path())
		return nil
	}
	key, err := core.NewKey()
	if err != nil {
		return err
	}
	if err := encryptStore(f, s, key, "nothing encrypted"); errors.Is(err, keychain.ErrUnavailable) {
		// Its advice, USER_SECRETS_KEY, serves reads, not encrypt.
		return fmt.Errorf("%w; encrypt keeps the new key in the OS keychain and cannot run without one: "+
			"encrypt on a machine that has one, and set %s here to the key that `user-secrets key export` prints there", err, core.EnvKey)
	} else if err != nil {
		return err
	}
	n, err := countSecrets(s)
	if err != nil {
		return err
	}
	f.IO.Infof("Encrypted %d secret(s) in %s; the key is in the OS keychain.", n, s.Path())
	f.IO.Warnf("losing the key loses the values: keep a copy somewhere safe with `user-secrets key export`")
	f.IO.Warnf("python-env-secrets reads this file without an error, and hands its services the encrypted strings, not the values")
	return nil
}

func runDecrypt(opts *EncryptOptions) error {
	f := opts.F
	s, encrypted, err := f.openEncrypted()
	if err != nil {
		return err
	}
	if !encrypted {
		f.IO.Infof("%s is not encrypted: nothing changed.", s.Path())
		return nil
	}
	if err := s.Decrypt(); err != nil {
		return err
	}
	n, err := countSecrets(s)
	if err != nil {
		return err
	}
	f.IO.Infof("Decrypted %d secret(s) in %s: the values are plain text again.", n, s.Path())
	if err := f.KeyStore().DeleteKey(storeKeyID(s)); errors.Is(err, keychain.ErrUnavailable) {
		// A machine without a keychain (the key came from
		// $USER_SECRETS_KEY): there is no entry here to remove.
		f.IO.Infof("No OS keychain here: copies of the key elsewhere (a keychain, $%s) no longer serve.", core.EnvKey)
		return nil
	} else if err != nil {
		f.IO.Warnf("the store's key stays in the keychain, and no longer serves: %v", err)
		return nil
	}
	f.IO.Infof("The OS keychain no longer holds the store's key.")
	return nil
}

// encryptCopy is the part of `init --new --copy-secrets` that keeps the
// new store s encrypted when old is: before anything is copied into it, s
// is encrypted under a new key of its own, stored in the keychain. It
// returns what removes that key again, for when the new store is removed.
// For a store old that is not encrypted it does nothing.
func encryptCopy(f *Factory, old, s *core.Store) (undo func(), err error) {
	undo = func() {}
	encrypted, err := old.Encrypted()
	if err != nil || !encrypted {
		return undo, err
	}
	if err := refuseEnvKey(f, "init --new --copy-secrets of an encrypted store"); err != nil {
		return undo, err
	}
	key, err := core.NewKey()
	if err != nil {
		return undo, err
	}
	if err := encryptStore(f, s, key, ""); err != nil {
		return undo, err
	}
	undo = func() {
		if err := f.KeyStore().DeleteKey(storeKeyID(s)); err != nil {
			f.IO.Warnf("the new store's key stays in the keychain, unused: %v", err)
		}
	}
	f.IO.Infof("The new store is encrypted under a key of its own, in the OS keychain.")
	return undo, nil
}

// encryptStore encrypts s under key, storing key in the keychain under the
// store's lock, once s is known not to be encrypted and before the file is
// written: of two concurrent encrypts, the one that loses finds the store
// encrypted and leaves the keychain's key alone. The key is removed again
// only if it was stored and the write then failed.
// A keychain that does not take the key is an error that starts with
// unstored, when not empty.
func encryptStore(f *Factory, s *core.Store, key []byte, unstored string) error {
	keys, id := f.KeyStore(), storeKeyID(s)
	stored := false
	err := s.Encrypt(key, func() error {
		if err := keys.SetKey(id, key); err != nil {
			if unstored != "" {
				err = fmt.Errorf("%s: %w", unstored, err)
			}
			return err
		}
		stored = true
		return nil
	})
	if err != nil && stored {
		if s.CheckKey(key) == nil {
			// The file was replaced, and only what came after failed
			// (syncing its directory): it needs the new key.
			return err
		}
		if derr := keys.DeleteKey(id); derr != nil {
			f.IO.Warnf("the new key stays in the keychain, unused: %v", derr)
		}
	}
	return err
}
