package redact_test

import (
	"fmt"
	"os"

	"github.com/go-user-secrets/user-secrets/internal/redact"
)

func Example() {
	w := redact.New(os.Stdout, []string{"s3cr3t-t0ken", "abc"})
	// A value split across writes is masked all the same; "abc" is too
	// short to be masked.
	fmt.Fprint(w, "token: s3cr3t")
	fmt.Fprint(w, "-t0ken, id: abc\n")
	// Close writes out what is held: "s3c" could have begun the value.
	fmt.Fprint(w, "the end: s3c")
	if err := w.Close(); err != nil {
		fmt.Println(err)
	}
	// Output:
	// token: ***, id: abc
	// the end: s3c
}
