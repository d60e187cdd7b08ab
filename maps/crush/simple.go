package crush

import "fmt"

// DefaultTypes are the bucket types OSDMap::_build_crush_types defines.
var DefaultTypes = []string{"osd", "host", "chassis", "rack", "row", "pdu", "pod",
	"room", "datacenter", "zone", "region", "root"}

// BuildSimple is OSDMap::build_simple_crush_map: the crush map a new
// cluster starts with. It has the default types, a straw2 root "default",
// nosd devices osd.N of weight 1.0 under host=localhost rack=localrack
// root=default, and rule 0 "replicated_rule" choosing leaves over
// failure-domain type chooseleafType (osd_crush_chooseleaf_type, 1 = host
// by default; a monitor created with no OSDs gets only the root).
func BuildSimple(nosd int, chooseleafType int32) (*CrushMap, error) {
	m := New()
	for i, t := range DefaultTypes {
		m.TypeNames[int32(i)] = t
	}
	root, err := m.addBucket(0, 0, uint16(len(DefaultTypes)-1), nil, nil)
	if err != nil {
		return nil, err
	}
	m.ItemNames[root] = "default"
	loc := Location{"host": "localhost", "rack": "localrack", "root": "default"}
	for o := range nosd {
		if err := m.InsertItem(int32(o), 0x10000, fmt.Sprintf("osd.%d", o), loc); err != nil {
			return nil, err
		}
	}
	fd, ok := m.TypeNames[chooseleafType]
	if !ok {
		return nil, fmt.Errorf("%w: chooseleaf type %d", ErrInvalid, chooseleafType)
	}
	if _, err := m.AddSimpleRule("replicated_rule", "default", fd, "", "firstn", RuleReplicated, 0); err != nil {
		return nil, err
	}
	m.finalize()
	return m, nil
}
