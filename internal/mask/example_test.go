package mask_test

import (
	"fmt"

	"github.com/go-user-secrets/user-secrets/internal/mask"
)

func ExampleValue() {
	fmt.Println(mask.Value("sk_live_51HxYz"))
	fmt.Println(mask.Value("abc"))
	fmt.Println(mask.Value("line one\nline two"))
	fmt.Println(mask.Value("a\nbcd"))
	// Output:
	// sk_***
	// ***
	// lin***
	// a?b***
}
