package secrets_test

import (
	"reflect"
	"testing"

	"github.com/go-user-secrets/user-secrets/koanfprovider"
	"github.com/go-user-secrets/user-secrets/viperremote"
)

// TestOneVocabulary checks that the adapters' Options have the same
// fields, in the same order, of the same types: one set of option names
// across koanfprovider and viperremote.
func TestOneVocabulary(t *testing.T) {
	t.Parallel()
	k := reflect.TypeFor[koanfprovider.Options]()
	v := reflect.TypeFor[viperremote.Options]()
	if k.NumField() != v.NumField() {
		t.Fatalf("koanfprovider.Options has %d fields, viperremote.Options %d", k.NumField(), v.NumField())
	}
	for i := range k.NumField() {
		kf, vf := k.Field(i), v.Field(i)
		if kf.Name != vf.Name || kf.Type != vf.Type {
			t.Errorf("field %d: koanfprovider.Options.%s %v, viperremote.Options.%s %v", i, kf.Name, kf.Type, vf.Name, vf.Type)
		}
	}
}
