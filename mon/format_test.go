package mon

import "testing"

func TestSinkApply(t *testing.T) {
	pretty := "{\n    \"a\": 1\n}\n"
	for _, c := range []struct {
		s       sink
		in, out string
	}{
		{flushed, `{"a":1}`, `{"a":1}`},
		{streamed, `{"a":1}`, "{\"a\":1}\n"},
		{newlined, `{"a":1}`, "{\"a\":1}\n"},
		{flushed, pretty, pretty},
		{streamed, pretty, pretty},
		{newlined, pretty, pretty + "\n"},
		// getline drops empty lines and ends the last one.
		{streamed, "all features\n\tsupported: [a]\n\non current monmap\n\n", "all features\n\tsupported: [a]\non current monmap\n"},
		{streamed, "", ""},
		{streamed, "7", "7\n"},
	} {
		if got := string(c.s.apply([]byte(c.in))); got != c.out {
			t.Errorf("sink %d on %q: %q, want %q", c.s, c.in, got, c.out)
		}
	}
}
