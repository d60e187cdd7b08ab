package interop

import "testing"

func TestSameEnding(t *testing.T) {
	for _, c := range []struct {
		a, b string
		same bool
	}{
		{"\n{}\n", "\n{\"a\":1}\n", true},
		{"\n{}\n", "\n{}", false},
		{"}\n\n", "}\n", false},
		{"", "", true},
		{"x", "y", true},
	} {
		if err := SameEnding(c.a, c.b); (err == nil) != c.same {
			t.Errorf("SameEnding(%q, %q) = %v, want same=%v", c.a, c.b, err, c.same)
		}
	}
}
