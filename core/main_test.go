package core

import (
	"os"
	"testing"

	"github.com/go-user-secrets/user-secrets/internal/testguard"
)

// TestMain runs no test when a .env above the temporary directory defines
// USER_SECRETS_ID (see internal/testguard): Resolve would find it from
// every t.TempDir.
func TestMain(m *testing.M) { os.Exit(testguard.Wrap(m).Run()) }
