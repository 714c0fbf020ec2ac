module github.com/go-user-secrets/user-secrets

go 1.26.0

require (
	github.com/google/uuid v1.6.0
	golang.org/x/sys v0.50.0
)
