package mon

import "github.com/kelp-ceph/kelp/internal/cephjson"

// orderedObject is a JSON object that keeps its keys in insertion order,
// as Ceph's Formatter does, for outputs whose keys are data.
type orderedObject struct{ *cephjson.Object }

func newOrderedObject() *orderedObject { return &orderedObject{cephjson.NewObject()} }

func (o *orderedObject) set(k string, v any) { o.Set(k, v) }
