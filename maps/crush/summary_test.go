package crush

import (
	"fmt"
	"strings"
)

// summary renders a map compactly for test failure messages.
func summary(m *CrushMap) string {
	if m == nil {
		return "<nil>"
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, "maxdev=%d buckets=%d rules=%d\n", m.MaxDevices, len(m.Buckets), len(m.Rules))
	for _, b := range m.Buckets {
		if b != nil {
			fmt.Fprintf(&sb, "  %d %q type=%d alg=%v w=%d items=%v iw=%v\n", b.ID, m.ItemNames[b.ID], b.Type, b.Alg, b.Weight, b.Items, b.ItemWeights)
		}
	}
	for i, r := range m.Rules {
		if r != nil {
			fmt.Fprintf(&sb, "  rule %d %q %+v\n", i, m.RuleNames[int32(i)], *r)
		}
	}
	fmt.Fprintf(&sb, "  names=%v classmap=%v classes=%v classbucket=%v\n", m.ItemNames, m.ClassMap, m.ClassNames, m.ClassBucket)
	return sb.String()
}
