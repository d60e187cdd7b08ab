package cephjson

import "testing"

func TestObjectKeepsOrderAndDoesNotEscape(t *testing.T) {
	o := NewObject().Set("z", 1).Set("a", "<<< x >>>").Set("m", Float(0.1))
	got, err := Render(map[string]any{"o": o}, false)
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"o":{"z":1,"a":"<<< x >>>","m":0.10000000000000001}}`; string(got) != want {
		t.Fatalf("got %s\nwant %s", got, want)
	}
	pretty, _ := Render(NewObject().Set("k", []int{1}), true)
	if want := "{\n    \"k\": [\n        1\n    ]\n}"; string(pretty) != want {
		t.Fatalf("pretty:\n%s", pretty)
	}
	if v, ok := o.Get("a"); !ok || v != "<<< x >>>" {
		t.Fatal("Get")
	}
}
